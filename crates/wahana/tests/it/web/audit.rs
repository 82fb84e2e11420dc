//! The audit trail: an accepted write adds exactly one entry, a refused one none.

use super::harness::{INSIDE, audit_rows, audited, envs};
use axum::http::{Method, StatusCode};
use serde_json::json;

/// A write refused for the person's role or region (403), a stale version (409) or a record
/// not held (404) adds no audit entry; an accepted one adds exactly one, naming who made it.
#[tokio::test]
async fn refused_writes_add_no_audit_entry_accepted_ones_exactly_one() {
    use StatusCode as S;
    use wahana_domain::codes::Code;
    for env in envs().await {
        let n = env.name;
        let (id, version) = env.group_in(INSIDE).await;
        let group = format!("/api/v1/groups/{id}");
        let patch = |v: i64| Some(json!({"fields": {"catatan": "diubah"}, "version": v}));
        let mut rows = audit_rows(&env).await;
        let e = &env;
        let r = e.api(Method::PATCH, &group, Some("officer_away"), patch(version));
        audited(e, &mut rows, r.await, S::NOT_FOUND, 0, "edit away").await;
        let r = e.api(Method::PATCH, &group, Some("viewer"), patch(version));
        audited(e, &mut rows, r.await, S::FORBIDDEN, 0, "viewer edit").await;
        let r = e.api(Method::PATCH, &group, Some("officer"), patch(version + 1));
        audited(
            e,
            &mut rows,
            r.await,
            S::CONFLICT,
            0,
            "edit from a version not held",
        )
        .await;
        let r = e.api(Method::PATCH, &group, Some("officer"), patch(version));
        audited(e, &mut rows, r.await, S::OK, 1, "edit").await;
        let r = e.api(Method::PATCH, &group, Some("enumerator"), patch(version));
        audited(
            e,
            &mut rows,
            r.await,
            S::CONFLICT,
            0,
            "second save of a version",
        )
        .await;
        let trail = e.store.audit_of("kelompok", &id, 10).await.unwrap();
        assert_eq!(
            (trail[0].actor.as_str(), trail[0].action.as_str()),
            ("api:officer", "update"),
            "{n}"
        );
        // The same through the form: refused away, accepted in the region.
        let g = e.store.group(&id).await.unwrap().unwrap();
        let year = g.group.founded_year.to_string();
        let date = g.group.survey_date.to_string();
        let held = (g.version).to_string();
        let fields = [
            ("kode_wilayah", INSIDE),
            ("nama", g.group.name.as_str()),
            ("jenis", g.group.group_type.code()),
            ("asal", g.group.origin.code()),
            ("tahun_berdiri", &year),
            ("tanggal_pendataan", &date),
            ("version", &held),
        ];
        let page = format!("/groups/{id}");
        let r = e.form(&page, Some("officer_away"), &fields, true);
        audited(e, &mut rows, r.await, S::NOT_FOUND, 0, "form edit away").await;
        let r = e.form(&page, Some("officer"), &fields, true);
        audited(e, &mut rows, r.await, S::SEE_OTHER, 1, "form edit").await;

        // Members, networks and ties.
        let members = format!("{group}/members");
        let member = || Some(json!({"name": "Andi Rahasia", "role": "anggota"}));
        let r = e.api(Method::POST, &members, Some("viewer"), member());
        audited(
            e,
            &mut rows,
            r.await,
            S::FORBIDDEN,
            0,
            "viewer adds a member",
        )
        .await;
        let r = e.api(Method::POST, &members, Some("enumerator"), member());
        audited(e, &mut rows, r.await, S::CREATED, 1, "member added").await;
        let not_held = format!("{members}/999999");
        let r = e.api(Method::DELETE, &not_held, Some("officer"), None);
        audited(e, &mut rows, r.await, S::NOT_FOUND, 0, "member not held").await;
        let net = json!({"fields": {"id": "W-AUDIT", "kode_wilayah": INSIDE, "nama": "WKSBM Audit", "tingkat": "desa"}});
        let r = e.api(
            Method::POST,
            "/api/v1/networks",
            Some("enumerator"),
            Some(net.clone()),
        );
        audited(
            e,
            &mut rows,
            r.await,
            S::FORBIDDEN,
            0,
            "enumerator adds a network",
        )
        .await;
        let r = e.api(
            Method::POST,
            "/api/v1/networks",
            Some("officer"),
            Some(net.clone()),
        );
        audited(e, &mut rows, r.await, S::CREATED, 1, "network added").await;
        let r = e.api(Method::POST, "/api/v1/networks", Some("officer"), Some(net));
        audited(e, &mut rows, r.await, S::CONFLICT, 0, "network id taken").await;
        let tie = json!({"fields": {"dari": id, "ke": "W-AUDIT", "jenis_ikatan": "koordinasi"}});
        let r = e.api(
            Method::POST,
            "/api/v1/ties",
            Some("officer_away"),
            Some(tie.clone()),
        );
        audited(e, &mut rows, r.await, S::CONFLICT, 0, "tie away").await;
        let r = e.api(Method::POST, "/api/v1/ties", Some("officer"), Some(tie));
        audited(e, &mut rows, r.await, S::CREATED, 1, "tie added").await;

        // Deleting: refused, accepted once (the ties go with the group, in its entry), then gone.
        let r = e.api(Method::DELETE, &group, Some("viewer"), None);
        audited(e, &mut rows, r.await, S::FORBIDDEN, 0, "viewer deletes").await;
        let r = e.api(Method::DELETE, &group, Some("officer"), None);
        audited(e, &mut rows, r.await, S::NO_CONTENT, 1, "delete").await;
        let r = e.api(Method::DELETE, &group, Some("officer"), None);
        audited(e, &mut rows, r.await, S::NOT_FOUND, 0, "delete again").await;
    }
}
