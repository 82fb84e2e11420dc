//! Who is asking: every use case that reads records or writes takes a [`Caller`], checks what
//! the caller may do with [`super::users`]' rules, and refuses with a typed error
//! ([`ServiceError::Unauthenticated`], [`ServiceError::Forbidden`], or
//! [`ServiceError::NotFound`] for a record the caller may not even read). A front end only says
//! who the caller is; a new front end gets every check by default.

use super::ServiceError;
use super::audit::Who;
use super::users::{self, Principal, Role, Write};
use wahana_domain::{RegionCode, Tie};

/// How a signed-in person reached wahana (written in the audit trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The web pages (`web:NAME`).
    Web,
    /// The JSON API (`api:NAME`).
    Api,
}

/// The caller of a use case.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    /// The command line's operator: whoever runs `wahana` on the machine that holds the
    /// database (its file, or its URL with the password) may do everything; the audit trail
    /// names the operating-system user (`cli:USER`).
    Operator { user: String },
    /// A signed-in person.
    Person { person: Principal, via: Via },
    /// A visitor who has not signed in: aggregates only.
    Anonymous,
}

impl Caller {
    /// The command line's operator, named by the operating-system user running it.
    pub fn cli() -> Caller {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".to_string());
        Caller::Operator { user }
    }

    /// A visitor of the web pages, signed in or not.
    pub fn web(person: Option<&Principal>) -> Caller {
        match person {
            Some(p) => Caller::Person {
                person: p.clone(),
                via: Via::Web,
            },
            None => Caller::Anonymous,
        }
    }

    /// A client of the JSON API, signed in or not.
    pub fn api(person: Option<&Principal>) -> Caller {
        match person {
            Some(p) => Caller::Person {
                person: p.clone(),
                via: Via::Api,
            },
            None => Caller::Anonymous,
        }
    }

    /// As the audit trail names the caller: `cli:USER`, `web:NAME`, `api:NAME`.
    pub fn who(&self) -> Who {
        Who(match self {
            Caller::Operator { user } => format!("cli:{user}"),
            Caller::Person {
                person,
                via: Via::Web,
            } => format!("web:{}", person.name),
            Caller::Person {
                person,
                via: Via::Api,
            } => format!("api:{}", person.name),
            Caller::Anonymous => "anonim".to_string(),
        })
    }

    /// The signed-in person, if any.
    pub fn person(&self) -> Option<&Principal> {
        match self {
            Caller::Person { person, .. } => Some(person),
            _ => None,
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self, Caller::Operator { .. })
    }

    /// The operator or an admin: everything, everywhere.
    fn is_all_powerful(&self) -> bool {
        match self {
            Caller::Operator { .. } => true,
            Caller::Person { person, .. } => person.role == Role::Admin,
            Caller::Anonymous => false,
        }
    }

    /// May the caller see the records (not only the counts) of a region?
    pub fn reads_records(&self, code: &RegionCode) -> bool {
        self.is_operator() || users::can_read_records(self.person(), code)
    }

    /// May the caller see the records of every region (a list without a region)?
    pub fn reads_everywhere(&self) -> bool {
        // A person without a region reads the whole country (`Principal::covers`).
        self.is_all_powerful() || self.person().is_some_and(|p| p.region.is_none())
    }

    /// May the caller see personal data (chairs, phones, board, members) of a region's records?
    pub fn sees_personal(&self, code: &RegionCode) -> bool {
        self.is_operator() || users::can_see_personal(self.person(), code)
    }

    /// May the caller make this kind of change in a region?
    pub fn writes(&self, what: Write, code: &RegionCode) -> bool {
        self.is_operator() || users::can_write(self.person(), what, code)
    }

    /// May the caller make this kind of change somewhere (the role alone)?
    pub fn writes_somewhere(&self, what: Write) -> bool {
        match self {
            Caller::Operator { .. } => true,
            Caller::Anonymous => false,
            Caller::Person { person, .. } => match person.role {
                Role::Admin | Role::Officer => true,
                Role::Enumerator => {
                    matches!(what, Write::CreateGroup | Write::EditGroup | Write::Members)
                }
                Role::Viewer => false,
            },
        }
    }

    /// May the caller add or delete a tie whose ends lie in these regions
    /// ([`users::can_write_tie`])?
    pub fn writes_tie(&self, ends: &[Option<RegionCode>]) -> bool {
        self.is_operator() || users::can_write_tie(self.person(), ends)
    }

    /// A signed-in caller (or the operator); an anonymous one is asked to sign in.
    pub fn signed_in(&self) -> Result<(), ServiceError> {
        match self {
            Caller::Anonymous => Err(ServiceError::Unauthenticated),
            _ => Ok(()),
        }
    }

    /// Refused as not allowed, naming where the caller may write.
    pub fn forbidden(&self) -> ServiceError {
        match self {
            Caller::Anonymous => ServiceError::Unauthenticated,
            _ => ServiceError::Forbidden {
                writes_in: self.person().and_then(|p| p.region.clone()),
            },
        }
    }

    /// The operator or an admin (people and waves are theirs).
    pub fn check_admin(&self) -> Result<(), ServiceError> {
        if self.is_all_powerful() {
            Ok(())
        } else {
            Err(self.forbidden())
        }
    }

    /// Officers and admins (and the operator): audit trails, the review of links.
    pub fn check_officer(&self) -> Result<(), ServiceError> {
        match self {
            Caller::Person { person, .. } if matches!(person.role, Role::Officer) => Ok(()),
            _ => self.check_admin(),
        }
    }

    /// A new record's write in `code` (`None`: its region does not parse yet, which the
    /// validation refuses; the role alone is checked).
    pub fn check_write(&self, what: Write, code: Option<&RegionCode>) -> Result<(), ServiceError> {
        let ok = match code {
            Some(c) => self.writes(what, c),
            None => self.writes_somewhere(what),
        };
        if ok { Ok(()) } else { Err(self.forbidden()) }
    }

    /// A record read from its region: a caller who may not read the region's records is
    /// answered exactly as for an id not held (`kind`, `id`), so that the answer tells nobody
    /// that a record exists in a region they may not read, nor where.
    pub fn check_read(
        &self,
        region: &RegionCode,
        kind: &'static str,
        id: &str,
    ) -> Result<(), ServiceError> {
        if self.reads_records(region) {
            Ok(())
        } else if matches!(self, Caller::Anonymous) {
            Err(ServiceError::Unauthenticated)
        } else {
            Err(ServiceError::NotFound {
                kind,
                id: id.to_string(),
            })
        }
    }

    /// A write to a held record in `region`: refused as not allowed to a caller who may read
    /// it, as missing to anyone else ([`Caller::check_read`]).
    pub fn check_write_held(
        &self,
        what: Write,
        region: &RegionCode,
        kind: &'static str,
        id: &str,
    ) -> Result<(), ServiceError> {
        self.signed_in()?;
        if self.writes(what, region) {
            return Ok(());
        }
        self.check_read(region, kind, id)?;
        Err(self.forbidden())
    }

    /// A tie's write, whose ends lie in `ends` (`None`: no held actor); `held`: the tie's
    /// number when it is held (a delete), `None` for a new tie. A held tie none of whose ends
    /// the caller may read is answered as missing, and a new tie to an actor the caller may
    /// not read as one to an actor not held (the store's refusal, naming the first end that is
    /// either); otherwise as not allowed.
    pub fn check_tie(
        &self,
        tie: &Tie,
        ends: &[Option<RegionCode>; 2],
        held: Option<i64>,
    ) -> Result<(), ServiceError> {
        self.signed_in()?;
        if self.writes_tie(ends) {
            return Ok(());
        }
        let readable =
            |end: &Option<RegionCode>| end.as_ref().is_some_and(|c| self.reads_records(c));
        match held {
            Some(n) if !ends.iter().any(readable) => Err(ServiceError::NotFound {
                kind: "ikatan",
                id: n.to_string(),
            }),
            Some(_) => Err(self.forbidden()),
            None => match [&tie.from, &tie.to]
                .into_iter()
                .zip(ends)
                .find(|(_, end)| !readable(end))
            {
                Some((id, _)) => Err(wahana_store::actor_not_found(id).into()),
                None => Err(self.forbidden()),
            },
        }
    }

    /// Who may import, and where: the operator and admins anywhere (`None`); officers inside
    /// their region's subtree (every row is checked against it); nobody else.
    pub fn import_scope(&self) -> Result<Option<RegionCode>, ServiceError> {
        match self {
            Caller::Operator { .. } => Ok(None),
            Caller::Person { person, .. } => match person.role {
                Role::Admin => Ok(None),
                Role::Officer => Ok(person.region.clone()),
                _ => Err(self.forbidden()),
            },
            Caller::Anonymous => Err(ServiceError::Unauthenticated),
        }
    }

    /// The region a list of records covers: the one asked for, refused when the caller may
    /// not read its records; without one, everything for those who read everywhere (the
    /// operator, admins, people without a region) and the person's own region for anyone else.
    pub fn list_scope(
        &self,
        region: Option<&RegionCode>,
    ) -> Result<Option<RegionCode>, ServiceError> {
        self.signed_in()?;
        match region {
            Some(r) if !self.reads_records(r) => Err(self.forbidden()),
            Some(r) => Ok(Some(r.clone())),
            None if self.reads_everywhere() => Ok(None),
            None => Ok(self.person().and_then(|p| p.region.clone())),
        }
    }
}
