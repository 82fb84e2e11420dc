//! Members (*anggota*) of a group: personal data, kept so that groups sharing a member or a
//! leader can be tied (co-membership, `domain.md`, "The network").

use crate::FieldError;
use crate::codes::{Code, MemberRole};
use crate::registry::check_id;
use serde::{Deserialize, Serialize};

/// The longest name or key taken.
const MAX_LEN: usize = 200;

/// A person in a group, with a role. Personal data: shown only to those allowed to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub group_id: String,
    pub name: String,
    pub role: MemberRole,
    /// What identifies the person across groups: the key the user gave (an id number such as
    /// the NIK), or else the name normalised by [`person_key`]. Two groups sharing a key share
    /// a member.
    pub person_key: String,
}

impl Member {
    /// Checks a member's fields; every problem is reported. `role` defaults to `anggota`, and
    /// `key` to the normalised name.
    pub fn new(
        group_id: &str,
        name: &str,
        role: Option<&str>,
        key: Option<&str>,
    ) -> Result<Member, Vec<FieldError>> {
        let mut errors = Vec::new();
        let group_id = check_id(group_id)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "kelompok".into(),
                    ..e
                })
            })
            .ok();
        let name = name.trim();
        let one_line = |s: &str| s.chars().count() <= MAX_LEN && !s.chars().any(char::is_control);
        if name.is_empty() {
            errors.push(FieldError::required("nama"));
        } else if !one_line(name) {
            errors.push(FieldError::new(
                "nama",
                name,
                format!("teks satu baris, paling banyak {MAX_LEN} huruf"),
                format!("one line of text, at most {MAX_LEN} characters"),
            ));
        }
        let role = match role.map(str::trim).filter(|r| !r.is_empty()) {
            None => Some(MemberRole::Member),
            Some(r) => MemberRole::from_code(r).or_else(|| {
                errors.push(FieldError::unknown_code::<MemberRole>("peran", r));
                None
            }),
        };
        let person_key = match key.map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) if !one_line(k) => {
                errors.push(FieldError::new(
                    "kunci",
                    k,
                    format!("teks satu baris, paling banyak {MAX_LEN} huruf"),
                    format!("one line of text, at most {MAX_LEN} characters"),
                ));
                None
            }
            Some(k) => Some(format!("k:{}", person_key(k).replace(' ', ""))),
            None => Some(format!("n:{}", person_key(name))),
        };
        match (group_id, role, person_key) {
            (Some(group_id), Some(role), Some(person_key)) if errors.is_empty() => Ok(Member {
                group_id,
                name: name.to_string(),
                role,
                person_key,
            }),
            _ => Err(errors),
        }
    }
}

/// A name or an id number normalised for matching: lower case, letters and digits only, words
/// separated by one space (`"Hj.  Sitti Aminah"` and `"hj sitti aminah"` give the same key).
/// A key the user gives loses its spaces too (`"7308 0112"` is `"73080112"`), and is kept apart
/// from name keys (`k:` and `n:` prefixes) so that a number never matches a name.
pub fn person_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_normalise_names_and_numbers() {
        // (name, role, key, person key or error fields)
        let cases = [
            ("Hj. Sitti  Aminah", None, None, "n:hj sitti aminah"),
            ("hj sitti aminah", Some("ketua"), None, "n:hj sitti aminah"),
            ("Andi Baso", None, Some("7308 0112-3456"), "k:730801123456"),
            ("La Ode", Some("bendahara"), Some("  "), "n:la ode"),
            ("", None, None, "!nama"),
            ("Baso", Some("raja"), None, "!peran"),
            ("", Some("raja"), None, "!nama peran"),
        ];
        for (name, role, key, want) in cases {
            match Member::new("K-1", name, role, key) {
                Ok(m) => assert_eq!(m.person_key, want, "{name}"),
                Err(e) => {
                    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
                    assert_eq!(format!("!{}", fields.join(" ")), want, "{name}");
                }
            }
        }
        let m = Member::new("K-1", "Baso", None, None).unwrap();
        assert_eq!(m.role, MemberRole::Member);
        assert!(Member::new("K 1", "Baso", None, None).is_err());
    }
}
