//! The review page of a re-survey's proposed links.

use super::harness::envs;
use axum::http::StatusCode;
use wahana::service;

/// The review page of a re-survey's proposed links: officers of the region see and decide their
/// pairs; a viewer may not; the decision happens once.
#[tokio::test]
async fn review_page_lists_and_decides_proposed_links() {
    for env in envs().await {
        let n = env.name;
        let file = env.dir.path().join("pemutakhiran.csv");
        service::demo::write_resurvey(&file, wahana_domain::demo::DEFAULT_SEED, 2).unwrap();
        let opts = service::import::ImportOptions {
            wave: Some("Pemutakhiran 2026".into()),
            wave_date: wahana_domain::Date::new(2026, 8, 31),
            ..Default::default()
        };
        let report =
            service::import::import_file(&env.store, &file, &opts, service::today(), &|_| {})
                .await
                .unwrap();
        assert!(report.committed, "{n}: {report:?}");
        assert!(report.review > 0, "{n}");
        let uri = "/waves/pemutakhiran-2026/review";
        assert_eq!(
            env.page(uri, Some("viewer")).await.status,
            StatusCode::FORBIDDEN,
            "{n}"
        );
        let away = env.page(uri, Some("officer_away")).await;
        assert_eq!(away.status, StatusCode::OK, "{n}");
        assert!(away.text.contains("(0)"), "{n}: none of theirs");
        let page = env.page(uri, Some("officer")).await;
        assert_eq!(page.status, StatusCode::OK, "{n}: {}", page.text);
        let pending = env
            .store
            .reviews("pemutakhiran-2026", None, false)
            .await
            .unwrap();
        assert_eq!(pending.len() as u64, report.review, "{n}");
        let first = &pending[0];
        assert!(page.text.contains(&first.candidate_id), "{n}");
        assert!(
            page.text.contains("keputusan"),
            "{n}: the officer may decide"
        );
        let action = format!("{uri}/{}", first.id);
        // The officer of another district may not decide it, and is not told it exists.
        let r = env
            .form(
                &action,
                Some("officer_away"),
                &[("keputusan", "terima")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}: {}", r.text);
        // Without the form token nothing happens.
        let r = env
            .form(&action, Some("officer"), &[("keputusan", "terima")], false)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}: {}", r.text);
        let r = env
            .form(&action, Some("officer"), &[("keputusan", "terima")], true)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let after = env.store.review(first.id).await.unwrap().unwrap();
        assert_eq!(after.status, "accepted", "{n}");
        assert_eq!(after.decided_by.as_deref(), Some("web:officer"), "{n}");
        let obs = env
            .store
            .group_in(&first.candidate_id, "pemutakhiran-2026")
            .await
            .unwrap();
        assert!(
            obs.is_some(),
            "{n}: the row is the earlier group's 2026 record"
        );
        let again = env
            .form(&action, Some("officer"), &[("keputusan", "tolak")], true)
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{n}: {}", again.text);
    }
}
