//! What the store keeps of every link, and the checks over a wave's links.

/// How a row came to be an observation of a lasting group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMethod {
    /// The row carried the group's id.
    SameId,
    /// Linked by [`link_village`](super::link_village) with no person looking.
    Matched,
    /// A proposed pair an officer accepted.
    Reviewed,
}

/// What a link says happened to the earlier group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The same group, observed again (`previous` and `current` are the same id).
    Continues,
    /// `previous` became part of `current` together with at least one other group.
    Merged,
    /// `current` is one of at least two groups that `previous` split into.
    Split,
}

impl LinkMethod {
    /// The code held in the database and written in JSON (`same_id`).
    pub fn code(self) -> &'static str {
        match self {
            LinkMethod::SameId => "same_id",
            LinkMethod::Matched => "matched",
            LinkMethod::Reviewed => "reviewed",
        }
    }

    pub fn parse(s: &str) -> Option<LinkMethod> {
        [
            LinkMethod::SameId,
            LinkMethod::Matched,
            LinkMethod::Reviewed,
        ]
        .into_iter()
        .find(|m| m.code() == s)
    }
}

impl LinkKind {
    /// The code held in the database and written in JSON (`continues`).
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::Continues => "continues",
            LinkKind::Merged => "merged",
            LinkKind::Split => "split",
        }
    }

    pub fn parse(s: &str) -> Option<LinkKind> {
        [LinkKind::Continues, LinkKind::Merged, LinkKind::Split]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// One link between an earlier group and the group a later wave's row observes, with how it
/// was made. The store keeps these; nothing here is changed after it is recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// The group's id in the earlier wave.
    pub previous: String,
    /// The group's id in this wave (the same id when the group continues).
    pub current: String,
    pub kind: LinkKind,
    pub method: LinkMethod,
    /// The score of the pair (`matched`, `reviewed`); none for `same_id`.
    pub score: Option<f64>,
    /// Who accepted the pair (`reviewed`, and any merge or split, which a person records).
    pub accepted_by: Option<String>,
}

impl Link {
    pub fn same_id(id: &str) -> Link {
        Link {
            previous: id.to_string(),
            current: id.to_string(),
            kind: LinkKind::Continues,
            method: LinkMethod::SameId,
            score: None,
            accepted_by: None,
        }
    }

    /// The link a [`Decision::Matched`](super::Decision::Matched) makes: the row becomes an observation of `id`.
    pub fn matched(id: &str, score: f64) -> Link {
        Link {
            method: LinkMethod::Matched,
            score: Some(score),
            ..Link::same_id(id)
        }
    }

    /// The link a reviewed pair makes once `officer` accepts it.
    pub fn reviewed(id: &str, score: f64, officer: &str) -> Link {
        Link {
            method: LinkMethod::Reviewed,
            score: Some(score),
            accepted_by: Some(officer.to_string()),
            ..Link::same_id(id)
        }
    }
}

/// Something wrong with a set of links of one wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkProblem {
    /// A `continues` link between two different ids.
    ContinuesChangesId { previous: String, current: String },
    /// An earlier group continued by more than one link, or both continued and split/merged.
    ClaimedTwice { previous: String },
    /// A merge into `current` from fewer than two earlier groups.
    MergeOfOne { current: String },
    /// A split of `previous` into fewer than two groups.
    SplitIntoOne { previous: String },
    /// A score missing or outside [0, 1] on a matched or reviewed link, or present on same_id.
    BadScore { previous: String },
    /// A reviewed link, merge or split with no one named as having accepted it.
    NotAccepted { previous: String },
}

/// Checks a wave's links: continues keeps the id and is one to one; a merge joins two or more
/// groups into one; a split makes two or more of one; an earlier group has one fate;
/// `matched`/`reviewed` carry a score in [0, 1]; a person accepted every reviewed link, merge
/// and split.
pub fn check_links(links: &[Link]) -> Vec<LinkProblem> {
    use std::collections::BTreeMap;
    let mut problems = Vec::new();
    let mut fate: BTreeMap<&str, Vec<LinkKind>> = BTreeMap::new();
    let mut merged_into: BTreeMap<&str, usize> = BTreeMap::new();
    let mut split_from: BTreeMap<&str, usize> = BTreeMap::new();
    for l in links {
        fate.entry(&l.previous).or_default().push(l.kind);
        match l.kind {
            LinkKind::Continues if l.previous != l.current => {
                problems.push(LinkProblem::ContinuesChangesId {
                    previous: l.previous.clone(),
                    current: l.current.clone(),
                });
            }
            LinkKind::Continues => {}
            LinkKind::Merged => *merged_into.entry(&l.current).or_default() += 1,
            LinkKind::Split => *split_from.entry(&l.previous).or_default() += 1,
        }
        let score_ok = match (l.method, l.score) {
            (LinkMethod::SameId, None) => true,
            (LinkMethod::Matched | LinkMethod::Reviewed, Some(s)) => (0.0..=1.0).contains(&s),
            _ => false,
        };
        if !score_ok {
            problems.push(LinkProblem::BadScore {
                previous: l.previous.clone(),
            });
        }
        let needs_person = l.method == LinkMethod::Reviewed || l.kind != LinkKind::Continues;
        if needs_person && l.accepted_by.as_deref().is_none_or(|s| s.trim().is_empty()) {
            problems.push(LinkProblem::NotAccepted {
                previous: l.previous.clone(),
            });
        }
    }
    for (previous, kinds) in &fate {
        let splits = kinds.iter().filter(|k| **k == LinkKind::Split).count();
        let others = kinds.len() - splits;
        if others > 1 || (others == 1 && splits > 0) {
            problems.push(LinkProblem::ClaimedTwice {
                previous: previous.to_string(),
            });
        }
    }
    for (current, n) in merged_into {
        if n < 2 {
            problems.push(LinkProblem::MergeOfOne {
                current: current.to_string(),
            });
        }
    }
    for (previous, n) in split_from {
        if n < 2 {
            problems.push(LinkProblem::SplitIntoOne {
                previous: previous.to_string(),
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_checked() {
        let ok = vec![
            Link::same_id("K-1"),
            Link::matched("K-2", 0.9),
            Link::reviewed("K-3", 0.7, "petugas"),
            Link {
                previous: "K-4".into(),
                current: "K-9".into(),
                kind: LinkKind::Merged,
                method: LinkMethod::Reviewed,
                score: Some(0.6),
                accepted_by: Some("petugas".into()),
            },
            Link {
                previous: "K-5".into(),
                current: "K-9".into(),
                kind: LinkKind::Merged,
                method: LinkMethod::Reviewed,
                score: Some(0.6),
                accepted_by: Some("petugas".into()),
            },
        ];
        assert_eq!(check_links(&ok), vec![]);
        let bad = vec![
            Link {
                current: "K-8".into(),
                ..Link::same_id("K-1")
            },
            Link::matched("K-2", 1.5),
            Link::matched("K-3", 0.9),
            Link::matched("K-3", 0.95),
            Link {
                accepted_by: None,
                ..Link::reviewed("K-4", 0.7, "x")
            },
            Link {
                kind: LinkKind::Split,
                ..Link::reviewed("K-5", 0.7, "petugas")
            },
        ];
        assert_eq!(
            check_links(&bad),
            vec![
                LinkProblem::ContinuesChangesId {
                    previous: "K-1".into(),
                    current: "K-8".into()
                },
                LinkProblem::BadScore {
                    previous: "K-2".into()
                },
                LinkProblem::NotAccepted {
                    previous: "K-4".into()
                },
                LinkProblem::ClaimedTwice {
                    previous: "K-3".into()
                },
                LinkProblem::SplitIntoOne {
                    previous: "K-5".into()
                },
            ]
        );
    }
}
