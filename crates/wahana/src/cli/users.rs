//! `wahana users`: people who may sign in to the web application and the API.

use crate::service::{caller::Caller, users};
use clap::Subcommand;
use std::process::ExitCode;
use wahana_domain::Lang;
use wahana_store::{Store, UserRecord};

#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Add a person. The password is read from WAHANA_NEW_PASSWORD, or generated and printed.
    Add {
        name: String,
        /// admin, officer, enumerator or viewer.
        #[arg(long)]
        role: String,
        /// The region (any level) they work in; none: the whole country.
        #[arg(long)]
        region: Option<String>,
    },
    /// List the people: name, role, region and whether they may sign in.
    List,
    /// Deactivate a person: no sign-in of theirs is accepted any more (web pages, API, ODK
    /// Collect) and their open sessions end at once. Nothing they recorded is changed.
    Deactivate {
        /// The person's user name.
        name: String,
    },
    /// Reactivate a deactivated person: they sign in again with the password they had.
    Activate {
        /// The person's user name.
        name: String,
    },
    /// Set a person's password (at least 8 characters), read from WAHANA_NEW_PASSWORD, or
    /// generated and printed once. Their open sessions end; ODK Collect needs the new
    /// password too.
    ResetPassword {
        /// The person's user name.
        name: String,
    },
}

/// The role of a person in `lang` (the code itself if it is none wahana knows).
fn role_label(u: &UserRecord, lang: Lang) -> String {
    users::Role::parse(&u.role)
        .map(|r| r.label(lang).to_string())
        .unwrap_or_else(|| u.role.clone())
}

/// A password given in WAHANA_NEW_PASSWORD, if any.
fn password_from_env() -> Option<String> {
    std::env::var("WAHANA_NEW_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
}

pub async fn run(store: &Store, cmd: UsersCommand, lang: Lang) -> anyhow::Result<ExitCode> {
    match cmd {
        UsersCommand::Add { name, role, region } => {
            let (password, generated) = match password_from_env() {
                Some(p) => (p, false),
                None => (users::generate_password(), true),
            };
            let u = users::add(
                store,
                &Caller::cli(),
                &name,
                &password,
                &role,
                region.as_deref(),
            )
            .await
            .map_err(|e| super::fail(e, lang))?;
            let region = u.region_code.as_deref().unwrap_or("Indonesia");
            let role = role_label(&u, lang);
            println!(
                "{}",
                match lang {
                    Lang::Id => format!("pengguna {} ditambahkan ({role}, {region})", u.name),
                    Lang::En => format!("user {} added ({role}, {region})", u.name),
                }
            );
            if generated {
                println!("{} {password}", lang.pick("kata sandi:", "password:"));
            }
        }
        UsersCommand::List => {
            for u in users::list(store, &Caller::cli())
                .await
                .map_err(|e| super::fail(e, lang))?
            {
                println!(
                    "{}\t{}\t{}\t{}",
                    u.name,
                    role_label(&u, lang),
                    u.region_code.as_deref().unwrap_or("Indonesia"),
                    if u.active {
                        lang.pick("aktif", "active")
                    } else {
                        lang.pick("nonaktif", "inactive")
                    }
                );
            }
        }
        UsersCommand::Deactivate { name } => {
            let u = users::deactivate(store, &Caller::cli(), &name)
                .await
                .map_err(|e| super::fail(e, lang))?;
            println!(
                "{}",
                match lang {
                    Lang::Id => format!(
                        "pengguna {} dinonaktifkan: tidak dapat masuk lagi, sesinya diakhiri",
                        u.name
                    ),
                    Lang::En => format!(
                        "user {} deactivated: they can no longer sign in, their sessions have ended",
                        u.name
                    ),
                }
            );
        }
        UsersCommand::Activate { name } => {
            let u = users::activate(store, &Caller::cli(), &name)
                .await
                .map_err(|e| super::fail(e, lang))?;
            println!(
                "{}",
                match lang {
                    Lang::Id => format!("pengguna {} diaktifkan kembali", u.name),
                    Lang::En => format!("user {} reactivated", u.name),
                }
            );
        }
        UsersCommand::ResetPassword { name } => {
            let given = password_from_env();
            let r = users::reset_password(store, &Caller::cli(), &name, given.as_deref())
                .await
                .map_err(|e| super::fail(e, lang))?;
            println!(
                "{}",
                match lang {
                    Lang::Id => format!(
                        "kata sandi {} diganti; sesinya diakhiri, juga ODK Collect memakai kata sandi baru",
                        r.user.name
                    ),
                    Lang::En => format!(
                        "{}'s password was changed; their sessions have ended, and ODK Collect takes the new password too",
                        r.user.name
                    ),
                }
            );
            if let Some(p) = r.generated {
                println!("{} {p}", lang.pick("kata sandi:", "password:"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
