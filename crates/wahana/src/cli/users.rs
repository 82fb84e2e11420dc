//! `wahana users`: people who may sign in to the web application and the API.

use crate::service::{caller::Caller, users};
use clap::Subcommand;
use std::process::ExitCode;
use wahana_domain::Lang;
use wahana_store::Store;

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
    /// List the people.
    List,
}

pub async fn run(store: &Store, cmd: UsersCommand, lang: Lang) -> anyhow::Result<ExitCode> {
    match cmd {
        UsersCommand::Add { name, role, region } => {
            let (password, generated) = match std::env::var("WAHANA_NEW_PASSWORD") {
                Ok(p) if !p.is_empty() => (p, false),
                _ => (users::random_token()[..16].to_string(), true),
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
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "pengguna {} ditambahkan ({}, {})",
                        u.name,
                        u.role,
                        u.region_code.as_deref().unwrap_or("Indonesia")
                    ),
                    &format!(
                        "user {} added ({}, {})",
                        u.name,
                        u.role,
                        u.region_code.as_deref().unwrap_or("Indonesia")
                    ),
                )
            );
            if generated {
                println!("{} {password}", lang.pick("kata sandi:", "password:"));
            }
        }
        UsersCommand::List => {
            for u in store.users().await? {
                println!(
                    "{}\t{}\t{}",
                    u.name,
                    u.role,
                    u.region_code.as_deref().unwrap_or("Indonesia")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
