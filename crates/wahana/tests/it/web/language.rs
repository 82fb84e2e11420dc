//! The Indonesian of the pages, read as a reviewer reads it: no word said twice in a row
//! ("Kabupaten Kabupaten Bone", "pendataan Pendataan …"), no English term left where an
//! Indonesian one exists (betweenness, "create kelompok"), changes in the audit trail said in
//! words, and times in the time zone of the region (WITA for Sulawesi Selatan), never UTC.

use super::harness::{INSIDE, envs, new_group};
use axum::http::{Method, StatusCode};

/// The visible text of a page's body: tags and scripts dropped, entities of quotes undone, spaces
/// folded.
fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // The body only: the head's title ends with the name the header begins with.
    let mut rest = html.find("<body").map_or(html, |i| &html[i..]);
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        // A block's edge ends what is read together (a field's hint and the next label).
        let name: String = tail[1..]
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let block = [
            "div",
            "p",
            "li",
            "td",
            "th",
            "tr",
            "label",
            "h1",
            "h2",
            "h3",
            "h4",
            "br",
            "option",
            "dt",
            "dd",
            "section",
            "header",
            "footer",
            "nav",
            "ul",
            "ol",
            "table",
            "form",
            "figcaption",
            "summary",
            "details",
            "pre",
            "main",
        ]
        .contains(&name.as_str());
        out.push_str(if block { " | " } else { " " });
        let skip_to = if tail.starts_with("<script") {
            tail.find("</script>").map(|j| j + 9)
        } else if tail.starts_with("<style") {
            tail.find("</style>").map(|j| j + 8)
        } else {
            tail.find('>').map(|j| j + 1)
        };
        rest = &tail[skip_to.unwrap_or(tail.len())..];
    }
    out.push_str(rest);
    out.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words said twice in a row (ignoring case; numbers and codes are not words).
fn doubled(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split(' ').collect();
    words
        .windows(2)
        .filter(|w| {
            let a = w[0].trim_matches(|c: char| !c.is_alphabetic());
            let b = w[1].trim_matches(|c: char| !c.is_alphabetic());
            a.chars().count() > 2
                && a.chars().all(char::is_alphabetic)
                && a.eq_ignore_ascii_case(b)
                && w[0].chars().last().is_some_and(char::is_alphabetic)
        })
        .map(|w| format!("{} {}", w[0], w[1]))
        .collect()
}

#[tokio::test]
async fn indonesian_pages_say_each_word_once_in_indonesian_with_local_times() {
    for env in envs().await {
        let n = env.name;
        // A change to see in the trail: a group added by the officer of Tanete Riattang.
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("officer"),
                Some(new_group(INSIDE, "Arisan Bahasa")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);

        let pages: &[(&str, Option<&str>)] = &[
            ("/", None),
            ("/regions/73", None),
            ("/regions/73.08", None),
            ("/regions/73.08/screening", None),
            ("/regions/73.08.21", None),
            ("/regions/73.08.21/screening", None),
            ("/regions/73.08.21/network", None),
            ("/regions/73.08.21/report?format=html", None),
            ("/regions/73.08/report?format=html", None),
            ("/regions/73.08.21.1003", Some("officer")),
            ("/regions/73.08.21/audit", Some("officer")),
            ("/waves", Some("admin")),
            ("/bantuan", Some("officer")),
            ("/import", Some("officer")),
        ];
        for (uri, who) in pages {
            let r = env.page(uri, *who).await;
            assert_eq!(r.status, StatusCode::OK, "{n} {uri}: {}", r.text);
            let text = visible(&r.text);
            let twice = doubled(&text);
            assert!(twice.is_empty(), "{n} {uri}: said twice: {twice:?}");
            for english in [
                "betweenness",
                "Betweenness",
                "Holds:",
                "create ",
                "networkx",
            ] {
                assert!(
                    !text.contains(english),
                    "{n} {uri}: English left: {english:?} in {}",
                    &text[text.find(english).unwrap().saturating_sub(80)..]
                        .chars()
                        .take(160)
                        .collect::<String>()
                );
            }
        }

        // The trail: the change in words, the time in Sulawesi Selatan's zone, not UTC.
        let r = env.page("/regions/73.08.21/audit", Some("officer")).await;
        let text = visible(&r.text);
        assert!(text.contains("menambah kelompok"), "{n}: {text}");
        assert!(text.contains(" WITA"), "{n}: {text}");
        // (The record as it was, shown as stored data under «sebelum»/«sesudah», aside.)
        let shown: String = r
            .text
            .split("<details>")
            .map(|part| {
                part.split_once("</details>")
                    .map_or(part, |(_, after)| after)
            })
            .collect();
        let utc = regex_lite_utc(&visible(&shown));
        assert!(utc.is_none(), "{n}: a UTC time shown: {utc:?}");
        // In English the words are English, the zone the same.
        let r = env
            .page("/regions/73.08.21/audit?lang=en", Some("officer"))
            .await;
        let text = visible(&r.text);
        assert!(
            text.contains("created group") && text.contains(" WITA"),
            "{n}: {text}"
        );
        // The report names its wave once ("Pendataan contoh …", not "pendataan Pendataan …").
        let r = env.page("/regions/73.08.21/report?format=html", None).await;
        let text = visible(&r.text);
        assert!(
            text.contains("\"Pendataan contoh Tanete Riattang 2007 (SINTETIS)\""),
            "{n}: {text}"
        );
        // The screening page of a kabupaten says its kind once.
        let r = env.page("/regions/73.08/screening", None).await;
        assert!(
            visible(&r.text).contains("Penyaringan: Kabupaten Bone"),
            "{n}"
        );
    }
}

/// The first `YYYY-MM-DDTHH:MM` of a text, if any (a time shown as stored).
fn regex_lite_utc(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(16)).find_map(|i| {
        let s = &b[i..i + 16];
        let digits = |r: std::ops::Range<usize>| s[r].iter().all(u8::is_ascii_digit);
        (digits(0..4)
            && s[4] == b'-'
            && digits(5..7)
            && s[7] == b'-'
            && digits(8..10)
            && s[10] == b'T'
            && digits(11..13)
            && s[13] == b':')
            .then(|| String::from_utf8_lossy(s).into_owned())
    })
}
