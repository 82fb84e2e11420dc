//! A group's members (personal data) on the group page and through the API.

use super::harness::{INSIDE, envs};
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use wahana_domain::RegionCode;

/// Members on the group page and through the API: personal data, shown and changed only by
/// admins and the region's officers and enumerators; each change audited; never a name to a
/// viewer or an anonymous visitor.
#[tokio::test]
async fn group_members_pages_and_api() {
    for env in envs().await {
        let n = env.name;
        let (id, _) = env.group_in(INSIDE).await;
        let page = format!("/groups/{id}");
        // Added on the page by an officer: back to the members, listed, audited with the village.
        let r = env
            .form(
                &format!("{page}/members"),
                Some("officer"),
                &[("nama", "Hj. Sitti Rahasia"), ("peran", "ketua")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert_eq!(r.headers[header::LOCATION], format!("{page}#anggota"));
        let shown = env.page(&page, Some("officer")).await;
        assert!(shown.text.contains("id=\"anggota\""), "{n}");
        assert!(shown.text.contains("Hj. Sitti Rahasia"), "{n}");
        assert!(shown.text.contains("<td>Ketua</td>"), "{n}");
        // Through the API by the enumerator of the region, with a key (an id number).
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/groups/{id}/members"),
                Some("enumerator"),
                Some(json!({"name": "Andi <b>Rahasia</b>", "key": "7308 0112"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let m = r.json();
        assert_eq!(m["role"], "anggota", "{n}: {m}");
        assert_eq!(m["person_key"], "k:73080112", "{n}: {m}");
        let list = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{id}/members"),
                Some("enumerator"),
                None,
            )
            .await
            .json();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Hj. Sitti Rahasia", "Andi <b>Rahasia</b>"], "{n}");
        let shown = env.page(&page, Some("enumerator")).await;
        assert!(
            shown.text.contains("Andi &#60;b&#62;Rahasia&#60;/b&#62;"),
            "{n}: names are escaped"
        );
        let trail = env
            .store
            .audit_in(&RegionCode::parse(INSIDE).unwrap(), 10, 0)
            .await
            .unwrap();
        let added: Vec<_> = trail
            .iter()
            .filter(|e| e.entity_kind == "anggota" && e.action == "create")
            .collect();
        assert_eq!(added.len(), 2, "{n}");
        assert!(
            added
                .iter()
                .all(|e| !e.after.as_deref().unwrap_or("").contains("Rahasia")),
            "{n}: the trail names the group and role, not the person"
        );
        // Viewers and anonymous visitors get no names, in HTML or JSON.
        for who in [None, Some("viewer")] {
            let r = env.page(&page, who).await;
            assert!(!r.text.contains("Rahasia"), "{n} {who:?}: names in HTML");
            assert!(!r.text.contains("id=\"anggota\""), "{n} {who:?}");
            let r = env
                .api(
                    Method::GET,
                    &format!("/api/v1/groups/{id}/members"),
                    who,
                    None,
                )
                .await;
            assert!(!r.text.contains("Rahasia"), "{n} {who:?}: names in JSON");
            let expect = if who.is_some() { 403 } else { 401 };
            assert_eq!(r.status.as_u16(), expect, "{n} {who:?}");
            let r = env
                .api(Method::GET, &format!("/api/v1/groups/{id}"), who, None)
                .await;
            assert!(!r.text.contains("Rahasia"), "{n} {who:?}");
        }
        // The viewer sees the page but no members section and no form.
        let r = env.page(&page, Some("viewer")).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(
            !r.text.contains("/members\""),
            "{n}: no member form for a viewer"
        );
        // A bad form shows the page again with the problem beside the form (422).
        let r = env
            .form(
                &format!("{page}/members?lang=en"),
                Some("officer"),
                &[("nama", " "), ("peran", "raja")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert!(r.text.contains("role=\"alert\""), "{n}");
        assert!(r.text.contains("peran"), "{n}: {}", r.text);
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/groups/{id}/members"),
                Some("officer"),
                Some(json!({"name": "X", "role": "raja"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
        assert_eq!(r.json()["error"], "invalid_input", "{n}");
        // The same person twice in one group is refused (by name, or by key when given).
        let r = env
            .form(
                &format!("{page}/members"),
                Some("officer"),
                &[("nama", "hj sitti  RAHASIA")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert!(r.text.contains("sudah anggota nomor"), "{n}");
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/groups/{id}/members"),
                Some("officer"),
                Some(json!({"name": "Andi Lain", "key": "73080112"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
        assert_eq!(r.json()["fields"][0]["field"], "kunci", "{n}");
        // Forms need the session's token.
        let r = env
            .form(
                &format!("{page}/members"),
                Some("officer"),
                &[("nama", "Tanpa Token")],
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        // Removing: a member of another group is not found through this one.
        let first = list[0]["id"].as_i64().unwrap();
        let (other, _) = env.group_in("73.08.21.1007").await;
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/groups/{other}/members/{first}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}: {}", r.text);
        let r = env
            .form(
                &format!("{page}/members/{first}/delete"),
                Some("viewer"),
                &[],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        // The group page's link asks first: a page naming the member, whose button posts.
        let group_page = env.page(&page, Some("officer")).await.text;
        assert!(
            group_page.contains(&format!("href=\"{page}/members/{first}/delete\"")),
            "{n}: a link, not a button that deletes at once"
        );
        assert!(
            !group_page.contains(&format!("action=\"{page}/members/{first}/delete\"")),
            "{n}"
        );
        let ask = env
            .page(&format!("{page}/members/{first}/delete"), Some("officer"))
            .await;
        assert_eq!(ask.status, StatusCode::OK, "{n}: {}", ask.text);
        assert!(ask.text.contains("Hapus anggota ini dari kelompok?"), "{n}");
        assert!(ask.text.contains("Hj. Sitti Rahasia"), "{n}: names whom");
        assert!(
            ask.text
                .contains(&format!("action=\"{page}/members/{first}/delete\"")),
            "{n}"
        );
        // Nobody else is asked, and nothing is named to them.
        let viewer_ask = env
            .page(&format!("{page}/members/{first}/delete"), Some("viewer"))
            .await;
        assert_eq!(viewer_ask.status, StatusCode::FORBIDDEN, "{n}");
        assert!(!viewer_ask.text.contains("Hj. Sitti Rahasia"), "{n}");
        let missing = env
            .page(&format!("{page}/members/999999/delete"), Some("officer"))
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{n}");
        let r = env
            .form(
                &format!("{page}/members/{first}/delete"),
                Some("officer"),
                &[],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
        assert!(
            !env.page(&page, Some("officer"))
                .await
                .text
                .contains("Hj. Sitti Rahasia"),
            "{n}"
        );
        let trail = env
            .store
            .audit_in(&RegionCode::parse(INSIDE).unwrap(), 10, 0)
            .await
            .unwrap();
        assert!(
            trail
                .iter()
                .any(|e| e.entity_kind == "anggota" && e.action == "delete"),
            "{n}"
        );
        // Unknown groups and member numbers.
        let r = env
            .api(
                Method::GET,
                "/api/v1/groups/K-TIDAK-ADA/members",
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/groups/{id}/members/x"),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");
    }
}
