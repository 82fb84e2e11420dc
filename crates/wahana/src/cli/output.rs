//! Rendering for the terminal: aligned tables, CSV, JSON, progress bars.

use crate::instrument::formula;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Table,
    Csv,
    Json,
}

/// Prints rows as an aligned table (widths in characters, so names with marks line up).
/// Rows a table shows when no `--limit` is given; JSON and CSV, read by programs, give every
/// match unless told otherwise.
pub const TABLE_PAGE: i64 = 100;

/// The `--limit` in effect: the one given, else a page for a table and everything otherwise.
pub fn limit_for(format: Format, given: Option<i64>) -> i64 {
    given.unwrap_or(if format == Format::Table {
        TABLE_PAGE
    } else {
        i64::MAX
    })
}

/// Says on standard error that output was cut by a limit, and how many rows were left out,
/// so that no output is ever cut silently.
pub fn note_cut(lang: wahana_domain::Lang, left_out: i64) {
    if left_out > 0 {
        eprintln!(
            "{}",
            lang.pick(
                &format!("… {left_out} lagi; --limit untuk mengubah"),
                &format!("… {left_out} more; use --limit"),
            )
        );
    }
}

pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = std::io::stdout().lock();
    let line = |out: &mut std::io::StdoutLock, cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(cell);
            if i + 1 < widths.len() {
                s.push_str(&" ".repeat(w.saturating_sub(cell.chars().count())));
            }
        }
        let _ = writeln!(out, "{}", s.trim_end());
    };
    line(&mut out, &mut headers.iter().copied());
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&mut out, &mut rule.iter().map(String::as_str));
    for row in rows {
        line(&mut out, &mut row.iter().map(String::as_str));
    }
}

/// Prints rows as CSV, with a `'` before a cell a spreadsheet would run as a formula
/// ([`crate::instrument::formula`]).
pub fn print_csv(headers: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    write_csv(std::io::stdout().lock(), headers, rows)
}

fn write_csv(out: impl Write, headers: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(headers)?;
    for row in rows {
        w.write_record(row.iter().map(|c| formula::guard(c).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// A progress bar with a rate, drawn only when standard error is a terminal.
pub fn progress_bar(unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
        return bar;
    }
    let template = format!(
        "{{elapsed_precise}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} ({{per_sec}}, {{eta}})"
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_tables_guard_formulas() {
        let mut out = Vec::new();
        let rows = vec![vec![
            "=1+1".to_string(),
            "-5.13".to_string(),
            "@x".to_string(),
        ]];
        write_csv(&mut out, &["nama", "bujur", "catatan"], &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "nama,bujur,catatan\n'=1+1,-5.13,'@x\n"
        );
    }
}
