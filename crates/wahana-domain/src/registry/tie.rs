//! A tie (*ikatan*) between two actors.

use super::fields::{Context, Fields, MIN_FOUNDED_YEAR};
use crate::FieldError;
use crate::codes::*;
use serde::{Deserialize, Serialize};

/// A tie (*ikatan*) between two actors: groups, institutions or networks, named by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tie {
    pub from: String,
    pub to: String,
    pub tie_type: TieType,
    pub since: Option<i32>,
    pub notes: Option<String>,
}

impl Tie {
    pub fn from_fields<'f>(
        get: impl Fn(&str) -> Option<&'f str>,
        ctx: &Context<'_>,
    ) -> Result<Tie, Vec<FieldError>> {
        let mut f = Fields {
            get,
            errors: Vec::new(),
        };
        let from = f.raw("dari").map(|_| ()).and_then(|_| f.id("dari"));
        if f.raw("dari").is_none() {
            f.errors.push(FieldError::required("dari"));
        }
        let to = f.raw("ke").map(|_| ()).and_then(|_| f.id("ke"));
        if f.raw("ke").is_none() {
            f.errors.push(FieldError::required("ke"));
        }
        let tie_type = f.code::<TieType>("jenis_ikatan", true);
        let since = f
            .integer(
                "sejak",
                i64::from(MIN_FOUNDED_YEAR),
                i64::from(ctx.today.year()),
                false,
            )
            .map(|y| y as i32);
        let notes = f.notes("catatan");
        if let (Some(a), Some(b)) = (&from, &to)
            && a == b
        {
            f.errors.push(FieldError::new(
                "ke",
                b.as_str(),
                "pelaku lain selain `dari` (ikatan ke diri sendiri tidak dicatat)",
                "an actor other than `dari` (a tie to itself is not recorded)",
            ));
        }
        let tie = (|| {
            Some(Tie {
                from: from?,
                to: to?,
                tie_type: tie_type?,
                since,
                notes,
            })
        })();
        f.finish(tie)
    }

    pub fn to_fields(&self) -> Vec<String> {
        vec![
            self.from.clone(),
            self.to.clone(),
            self.tie_type.code().to_string(),
            self.since.map(|y| y.to_string()).unwrap_or_default(),
            self.notes.clone().unwrap_or_default(),
        ]
    }
}
