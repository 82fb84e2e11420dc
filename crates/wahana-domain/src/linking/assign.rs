//! The one-to-one assignment of a village's rows to its earlier groups, and the decision per row.

use super::similarity::{Candidate, Prepared, similarity_prepared};

/// Where the bands of [`link_village`] lie. [`Thresholds::default`] holds the tuned values
/// (`docs/linking.md`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or above, with [`Thresholds::margin`], a row is linked with no person looking.
    pub matched: f64,
    /// At or above (and not matched), the pair is proposed for review; below, the row is new.
    pub review: f64,
    /// How far the pair must stand above every other pair of the same row or of the same
    /// earlier group to be linked without review.
    pub margin: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            matched: 0.80,
            review: 0.55,
            margin: 0.10,
        }
    }
}

/// What becomes of one incoming row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// The row is an observation of earlier group `previous` (an index into `previous`):
    /// `link: matched`, with its score.
    Matched { previous: usize, score: f64 },
    /// Proposed pair for an officer to accept or reject. `ambiguous`: the score would have
    /// matched, but another pair of the same row or group comes too close.
    Review {
        previous: usize,
        score: f64,
        ambiguous: bool,
    },
    /// No earlier group is close enough: a new group.
    New,
}

impl Decision {
    /// The earlier group proposed or linked, if any.
    pub fn previous(&self) -> Option<usize> {
        match self {
            Decision::Matched { previous, .. } | Decision::Review { previous, .. } => {
                Some(*previous)
            }
            Decision::New => None,
        }
    }
}

/// Links the rows of one village that came without ids (`incoming`) to the village's groups
/// seen in earlier waves and not yet observed in this one (`previous`). Returns one decision per
/// incoming row, in order.
///
/// Assignment is greedy, one to one: all pairs at or above the review threshold, best score
/// first (ties: lower incoming index, then lower previous index), each taken if neither side is
/// taken yet. Greedy rather than an optimal (Hungarian) assignment: an automatic link must be
/// the clear best of both its row and its group (the margin rule), and for such pairs the two
/// methods agree; they differ only where pairs compete closely, and those go to review anyway.
/// Greedy is also what an officer can follow by hand ("the best pair first").
///
/// The margin rule compares a pair with every other pair of its row and of its group, taken
/// or not: a row whose best group went to another row is never linked automatically.
///
/// Deterministic: the same input gives the same decisions.
pub fn link_village(
    previous: &[Candidate],
    incoming: &[Candidate],
    thresholds: &Thresholds,
) -> Vec<Decision> {
    let prev: Vec<Prepared> = previous.iter().map(Prepared::new).collect();
    let inc: Vec<Prepared> = incoming.iter().map(Prepared::new).collect();
    let np = prev.len();
    let mut scores = vec![0.0f64; inc.len() * np];
    for (i, a) in inc.iter().enumerate() {
        for (j, b) in prev.iter().enumerate() {
            scores[i * np + j] = similarity_prepared(b, a).score;
        }
    }
    let score = |i: usize, j: usize| scores[i * np + j];

    let mut pairs: Vec<(usize, usize)> = (0..inc.len())
        .flat_map(|i| (0..np).map(move |j| (i, j)))
        .filter(|&(i, j)| score(i, j) >= thresholds.review)
        .collect();
    pairs.sort_by(|&(i, j), &(k, l)| {
        score(k, l)
            .total_cmp(&score(i, j))
            .then(i.cmp(&k))
            .then(j.cmp(&l))
    });

    let mut decisions = vec![Decision::New; inc.len()];
    let mut prev_taken = vec![false; np];
    let mut inc_taken = vec![false; inc.len()];
    for (i, j) in pairs {
        if inc_taken[i] || prev_taken[j] {
            continue;
        }
        inc_taken[i] = true;
        prev_taken[j] = true;
        let s = score(i, j);
        let runner_up = (0..np)
            .filter(|&l| l != j)
            .map(|l| score(i, l))
            .chain((0..inc.len()).filter(|&k| k != i).map(|k| score(k, j)))
            .fold(0.0f64, f64::max);
        let clear = s - runner_up >= thresholds.margin;
        decisions[i] = if s >= thresholds.matched && clear {
            Decision::Matched {
                previous: j,
                score: s,
            }
        } else {
            Decision::Review {
                previous: j,
                score: s,
                ambiguous: s >= thresholds.matched,
            }
        };
    }
    decisions
}

#[cfg(test)]
mod tests {
    use super::super::testing::cand;
    use super::*;
    use crate::codes::GroupType;

    #[test]
    fn assignment_is_one_to_one() {
        let t = Thresholds::default();
        let prev = vec![
            cand("Arisan Mawar", GroupType::Arisan, 1990, "", "RW 01"),
            cand("Arisan Melati", GroupType::Arisan, 1985, "", "RW 02"),
            cand("Posyandu Anggrek", GroupType::Posyandu, 2001, "", "RW 01"),
        ];
        let inc = vec![
            cand("Posyandu Anggrek", GroupType::Posyandu, 2001, "", "RW 01"),
            cand("arisan  melati", GroupType::Arisan, 1986, "", "RW 2"),
            cand("Arisan Mawar", GroupType::Arisan, 1990, "", "RW 1"),
            // The same name again, but founded last year elsewhere: the earlier group is taken.
            cand("Arisan Mawar", GroupType::Arisan, 2025, "", "RW 04"),
        ];
        let d = link_village(&prev, &inc, &t);
        assert_eq!(d.len(), 4);
        assert!(
            matches!(d[0], Decision::Matched { previous: 2, .. }),
            "{d:?}"
        );
        assert!(
            matches!(d[1], Decision::Matched { previous: 1, .. }),
            "{d:?}"
        );
        assert!(
            matches!(d[2], Decision::Matched { previous: 0, .. }),
            "{d:?}"
        );
        assert_eq!(d[3], Decision::New, "{d:?}");
        let mut linked: Vec<usize> = d.iter().filter_map(Decision::previous).collect();
        linked.sort();
        linked.dedup();
        assert_eq!(linked.len(), 3);
        assert_eq!(d, link_village(&prev, &inc, &t), "deterministic");
    }

    #[test]
    fn ambiguous_pairs_go_to_review() {
        let t = Thresholds::default();
        // Two earlier groups the row fits almost equally well: neither is linked without a
        // person, though the score alone would match.
        let prev = vec![
            cand("Arisan Mawar", GroupType::Arisan, 1990, "", "RW 01"),
            cand("Arisan Mawar", GroupType::Arisan, 1991, "", "RW 02"),
        ];
        let inc = vec![cand("Arisan Mawar", GroupType::Arisan, 1990, "", "")];
        let d = link_village(&prev, &inc, &t);
        assert!(
            matches!(
                d[0],
                Decision::Review {
                    previous: 0,
                    ambiguous: true,
                    ..
                }
            ),
            "{d:?}"
        );
        // A clear best among similar names is linked.
        let prev = vec![
            cand("Arisan Mawar", GroupType::Arisan, 1990, "", ""),
            cand("Arisan Mawar Indah", GroupType::Arisan, 1990, "", ""),
        ];
        let inc = vec![cand("Arisan Mawar Indh", GroupType::Arisan, 1990, "", "")];
        let d = link_village(&prev, &inc, &t);
        assert!(
            matches!(d[0], Decision::Matched { previous: 1, .. }),
            "{d:?}"
        );
        // Two rows that fit one earlier group equally well: the first is proposed, not linked.
        let prev = vec![cand("Arisan Mawar", GroupType::Arisan, 1990, "", "")];
        let inc = vec![
            cand("Arisan Mawar", GroupType::Arisan, 1991, "", ""),
            cand("Arisan Mawar", GroupType::Arisan, 1989, "", ""),
        ];
        let d = link_village(&prev, &inc, &t);
        assert!(
            matches!(
                d[0],
                Decision::Review {
                    previous: 0,
                    ambiguous: true,
                    ..
                }
            ),
            "{d:?}"
        );
        assert_eq!(d[1], Decision::New);
        // The middle band: alike, but not enough.
        let prev = vec![cand("Arisan Mawar", GroupType::Arisan, 1990, "", "")];
        let inc = vec![cand("Arisan Mawar", GroupType::Dasawisma, 1993, "", "")];
        let d = link_village(&prev, &inc, &t);
        assert!(
            matches!(
                d[0],
                Decision::Review {
                    previous: 0,
                    ambiguous: false,
                    ..
                }
            ),
            "{d:?}"
        );
        // Nothing alike: new.
        let inc = vec![cand(
            "Kelompok Ronda Resopa",
            GroupType::KelompokRonda,
            2015,
            "",
            "",
        )];
        assert_eq!(link_village(&prev, &inc, &t), vec![Decision::New]);
    }
}
