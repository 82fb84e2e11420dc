//! Measures the linking of re-survey rows to earlier groups (`docs/linking.md`).
//!
//! ```text
//! cargo run --release -p wahana-domain --example linking_quality            # 200 seeds
//! cargo run --release -p wahana-domain --example linking_quality -- 50 sweep
//! cargo run --release -p wahana-domain --example linking_quality -- 20 errors
//! ```
//!
//! Each seed is a synthetic Tanete Riattang (8 kelurahan, 50-65 groups each) and its synthetic
//! re-survey with retyped names and known truth. Prints precision (automatic links that are
//! right / automatic links made), recall (continuing groups linked automatically and rightly /
//! continuing groups) and the share of rows sent to review. `sweep` also tries other thresholds;
//! `errors` lists the wrong automatic links and the missed ones.

use wahana_domain::linking::resurvey::{
    RESURVEY_DEFAULT, ResurveyParams, measure, score_village, tanete_resurvey,
};
use wahana_domain::linking::{Candidate, Decision, Thresholds, similarity};

/// A harder re-survey than the default: twice the new groups, nearly all named after an
/// existing group, most chairs changed, the RT/RW often blank.
const STRESS: ResurveyParams = ResurveyParams {
    new_groups: 0.6,
    look_alike: 0.9,
    chair_same: 0.2,
    local_unit_blank: 0.4,
    ..RESURVEY_DEFAULT
};

fn print(label: &str, params: &ResurveyParams, t: &Thresholds, seeds: u64) {
    let q = measure(1..=seeds, params, t);
    println!(
        "{label:<34} precision {:6.2}%  recall {:6.2}%  review {:5.2}% of rows ({} rows, {} continuing, {} auto links, review proposes the right group {:.1}%)",
        100.0 * q.precision(),
        100.0 * q.recall(),
        100.0 * q.review_share(),
        q.rows,
        q.continuing,
        q.matched,
        100.0 * q.review_right as f64 / q.review.max(1) as f64,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: u64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(200);
    let t = Thresholds::default();
    println!("{seeds} seeds x 8 villages");
    print(
        &format!("default {:.2}/{:.2}/{:.2}", t.matched, t.review, t.margin),
        &RESURVEY_DEFAULT,
        &t,
        seeds,
    );
    print("harder re-survey, same thresholds", &STRESS, &t, seeds);
    if args.iter().any(|a| a == "sweep") {
        for matched in [0.70, 0.75, 0.80, 0.85, 0.90] {
            for margin in [0.0, 0.05, 0.10, 0.15] {
                let t = Thresholds {
                    matched,
                    margin,
                    ..Thresholds::default()
                };
                print(
                    &format!("matched {matched:.2} margin {margin:.2}"),
                    &RESURVEY_DEFAULT,
                    &t,
                    seeds,
                );
            }
        }
    }
    if args.iter().any(|a| a == "errors") {
        for seed in 1..=seeds {
            for (w1, rows) in tanete_resurvey(seed, &RESURVEY_DEFAULT) {
                let (_, decisions) = score_village(&w1, &rows, &t);
                for (row, d) in rows.iter().zip(&decisions) {
                    let shown = |i: usize| {
                        let g = &w1[i];
                        format!(
                            "{:?} {:?} {} {:?} {:?}",
                            g.name, g.group_type, g.founded_year, g.chair, g.local_unit
                        )
                    };
                    let r = &row.group;
                    let this = format!(
                        "{:?} {:?} {} {:?} {:?}",
                        r.name, r.group_type, r.founded_year, r.chair, r.local_unit
                    );
                    let wrong = match (d, row.previous) {
                        (Decision::Matched { previous, .. }, truth) => truth != Some(*previous),
                        (_, Some(_)) => true,
                        _ => false,
                    };
                    if wrong {
                        let s = |i: usize| {
                            similarity(&Candidate::from_group(&w1[i]), &Candidate::from_group(r))
                        };
                        println!("row   {this}\n  got {d:?}");
                        if let Some(p) = d.previous() {
                            println!("      {} {:?}", shown(p), s(p));
                        }
                        match row.previous {
                            Some(p) => println!("  truth {} {:?}", shown(p), s(p)),
                            None => println!("  truth new"),
                        }
                    }
                }
            }
        }
    }
}
