//! The counts of networks, institutions and ties (`actor_tally.rs`) kept current inside a
//! batch: deltas gathered by the writes, added up at the commit.

use super::{Arg, Batch, BatchTx, CHUNK, bind_args};
use crate::StoreError;
use crate::actor_tally::{ACTOR_TALLY_INSERT, ACTOR_TALLY_UPSERT};
use crate::ids::ActorKind;
use crate::sqlite_tx::{Rows, one_row_sql};
use sqlx::{AssertSqlSafe, QueryBuilder, Row};

/// A tie's two ends' regions, joined from the entities (`$n` conditions on `t`).
const TIE_REGIONS: &str = "SELECT t.wave_id, f.region_code, o.region_code FROM ties t \
    JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE ";

impl Batch {
    /// The text columns of every row of a query (`width` of them), on either database.
    pub(crate) async fn fetch_texts(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
        width: usize,
    ) -> Result<Vec<Vec<String>>, StoreError> {
        Ok(match &mut self.tx {
            BatchTx::Sqlite(w) => {
                let params: Vec<rusqlite::types::Value> =
                    args.into_iter().map(Arg::into_sqlite).collect();
                let sql = sql.to_string();
                w.call(move |c| {
                    let mut st = c.prepare_cached(&sql)?;
                    crate::sqlite_tx::bind_numbered(&mut st, &params)?;
                    let mut rows = st.raw_query();
                    let mut out = Vec::new();
                    while let Some(r) = rows.next()? {
                        let mut row = Vec::with_capacity(width);
                        for i in 0..width {
                            row.push(r.get::<_, String>(i)?);
                        }
                        out.push(row);
                    }
                    Ok(out)
                })
                .await?
            }
            BatchTx::Postgres(t) => {
                let rows = bind_args(sqlx::query(AssertSqlSafe(sql.to_string())), args)
                    .fetch_all(&mut **t)
                    .await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let mut row = Vec::with_capacity(width);
                    for i in 0..width {
                        row.push(r.try_get::<String, _>(i)?);
                    }
                    out.push(row);
                }
                out
            }
        })
    }

    /// Adds (`sign` 1) or takes away (-1) the counts of the ties `condition` selects (a SQL
    /// condition on the ties as `t`, with `$n` parameters `args`), as the batch holds them now.
    /// Called before a write that changes or removes them, and after one that adds them.
    pub(crate) async fn retally_ties(
        &mut self,
        sign: i64,
        condition: &str,
        args: Vec<Arg>,
    ) -> Result<(), StoreError> {
        let sql = format!("{TIE_REGIONS}{condition}");
        for row in self.fetch_texts(&sql, args, 3).await? {
            self.actor_deltas.add_tie(&row[0], &row[1], &row[2], sign);
        }
        Ok(())
    }

    /// The same for the observations of networks or institutions `condition` selects (a SQL
    /// condition on their table, unqualified).
    pub(crate) async fn retally_observations(
        &mut self,
        kind: ActorKind,
        sign: i64,
        condition: &str,
        args: Vec<Arg>,
    ) -> Result<(), StoreError> {
        let (table, column) = match kind {
            ActorKind::Network => ("networks", "village_code"),
            ActorKind::Institution => ("institutions", "region_code"),
            ActorKind::Group => return Ok(()),
        };
        let sql = format!("SELECT wave_id, {column} FROM {table} WHERE {condition}");
        for row in self.fetch_texts(&sql, args, 2).await? {
            self.actor_deltas
                .add_observation(&row[0], kind, &row[1], sign);
        }
        Ok(())
    }

    /// The counts of everything a wave holds, added or taken away (around a write that copies
    /// rows into it: `carry_actors`).
    pub(crate) async fn retally_wave(&mut self, wave: &str, sign: i64) -> Result<(), StoreError> {
        self.retally_ties(sign, "t.wave_id = $1", vec![wave.into()])
            .await?;
        for kind in [ActorKind::Network, ActorKind::Institution] {
            self.retally_observations(kind, sign, "wave_id = $1", vec![wave.into()])
                .await?;
        }
        Ok(())
    }

    /// Writes the counts' deltas gathered (before the commit).
    pub(crate) async fn flush_actor_deltas(&mut self) -> Result<(), StoreError> {
        if self.actor_deltas.is_empty() {
            return Ok(());
        }
        let deltas = std::mem::take(&mut self.actor_deltas);
        let rows = deltas.sorted();
        for chunk in rows.chunks(CHUNK) {
            match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let mut out = Rows::new(5, chunk.len());
                    for (wave, region, c) in chunk {
                        out.text(wave).text(region).int(c[0]).int(c[1]).int(c[2]);
                    }
                    let sql = one_row_sql(ACTOR_TALLY_INSERT, 5, ACTOR_TALLY_UPSERT);
                    w.queue_rows(sql, out).await?;
                }
                BatchTx::Postgres(t) => {
                    let mut qb = QueryBuilder::new(ACTOR_TALLY_INSERT);
                    qb.push_values(chunk, |mut b, (wave, region, c)| {
                        b.push_bind(wave.to_string())
                            .push_bind(region.to_string())
                            .push_bind(c[0])
                            .push_bind(c[1])
                            .push_bind(c[2]);
                    });
                    qb.push(ACTOR_TALLY_UPSERT);
                    qb.build().execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }
}
