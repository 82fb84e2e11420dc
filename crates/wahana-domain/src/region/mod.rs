//! Indonesian administrative regions (wilayah administrasi) with their Kemendagri codes.
//!
//! The official tree (38 provinsi, 514 kabupaten/kota, 7,285 kecamatan, 83,762 desa/kelurahan)
//! is embedded from `data/regions/*.csv` and parsed once on first use; see
//! `data/regions/README.md` for the source, the version and how codes are structured.
//! Codes are held in their dotted form (`73.08.21.1003`): every segment has a fixed width, so
//! plain string order is numeric order and a region's descendants are a contiguous range.

mod code;
mod csv;
mod tree;
mod unit;

pub use code::*;
pub use tree::*;
pub use unit::Region;

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        parse_code(s).unwrap_or_else(|| panic!("bad test code {s}"))
    }

    fn official() -> &'static RegionTree {
        RegionTree::official()
    }

    #[test]
    fn region_code_parsing() {
        // input, dotted form (None: rejected), level, parent, village kind
        type Case = (
            &'static str,
            Option<&'static str>,
            Option<Level>,
            Option<&'static str>,
            Option<RegionKind>,
        );
        let cases: &[Case] = &[
            (
                "73.08.21.1003",
                Some("73.08.21.1003"),
                Some(Level::Village),
                Some("73.08.21"),
                Some(RegionKind::Kelurahan),
            ),
            (
                "7308211003",
                Some("73.08.21.1003"),
                Some(Level::Village),
                Some("73.08.21"),
                Some(RegionKind::Kelurahan),
            ),
            (
                "  7308211003 ",
                Some("73.08.21.1003"),
                Some(Level::Village),
                Some("73.08.21"),
                Some(RegionKind::Kelurahan),
            ),
            (
                "11.01.01.2001",
                Some("11.01.01.2001"),
                Some(Level::Village),
                Some("11.01.01"),
                Some(RegionKind::Desa),
            ),
            (
                "91.03.01.3001",
                Some("91.03.01.3001"),
                Some(Level::Village),
                Some("91.03.01"),
                Some(RegionKind::DesaAdat),
            ),
            (
                "73.08.21",
                Some("73.08.21"),
                Some(Level::District),
                Some("73.08"),
                None,
            ),
            (
                "730821",
                Some("73.08.21"),
                Some(Level::District),
                Some("73.08"),
                None,
            ),
            (
                "73.08",
                Some("73.08"),
                Some(Level::Regency),
                Some("73"),
                None,
            ),
            (
                "7308",
                Some("73.08"),
                Some(Level::Regency),
                Some("73"),
                None,
            ),
            ("73", Some("73"), Some(Level::Province), None, None),
            (" 73 ", Some("73"), Some(Level::Province), None, None),
            ("", None, None, None, None),
            ("7", None, None, None, None),
            ("730", None, None, None, None),
            ("73082", None, None, None, None),
            ("73082110", None, None, None, None),
            ("730821100", None, None, None, None),
            ("73082110031", None, None, None, None),
            ("73.8", None, None, None, None),
            ("73.08.21.103", None, None, None, None),
            ("73.08.21.1003.1", None, None, None, None),
            ("73.0821", None, None, None, None),
            ("73..08", None, None, None, None),
            ("73.08.", None, None, None, None),
            (".73", None, None, None, None),
            ("73.08.21.10a3", None, None, None, None),
            ("73 08 21", None, None, None, None),
            ("00", None, None, None, None),
            ("73.00.21", None, None, None, None),
            ("٧٣", None, None, None, None),
            ("abc", None, None, None, None),
        ];
        for &(input, dotted, level, parent, kind) in cases {
            let parsed = parse_code(input);
            assert_eq!(parsed.as_ref().map(RegionCode::as_str), dotted, "{input:?}");
            let Some(parsed) = parsed else { continue };
            assert_eq!(Some(parsed.level()), level, "{input:?} level");
            assert_eq!(
                parsed.parent().as_ref().map(RegionCode::as_str),
                parent,
                "{input:?} parent"
            );
            assert_eq!(parsed.village_kind(), kind, "{input:?} village kind");
            assert_eq!(
                parsed.digits(),
                parsed.as_str().replace('.', ""),
                "{input:?} digits"
            );
            assert_eq!(parsed.to_string(), parsed.as_str(), "{input:?} display");
        }
    }

    #[test]
    fn region_code_relations() {
        // code, ancestor, is_within
        let cases = [
            ("73.08.21.1003", "73", true),
            ("73.08.21.1003", "73.08", true),
            ("73.08.21.1003", "73.08.21", true),
            ("73.08.21.1003", "73.08.21.1003", true),
            ("73.08", "73.08", true),
            ("73.08", "73.08.21", false),
            ("73.08.21.1003", "73.08.22", false),
            ("73.08.21.1003", "74", false),
            ("74.01", "73", false),
        ];
        for (c, a, within) in cases {
            assert_eq!(code(c).is_within(&code(a)), within, "{c} within {a}");
        }
        let ancestors: Vec<String> = code("73.08.21.1003")
            .ancestors()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(ancestors, ["73", "73.08", "73.08.21"]);
        assert!(code("73").ancestors().is_empty());
        // Order is numeric order and puts a parent before its children.
        assert!(
            code("73") < code("73.08")
                && code("73.08") < code("73.08.21")
                && code("73.08.27") < code("73.09")
        );
    }

    #[test]
    fn region_code_serde() {
        // JSON input, accepted
        let cases = [
            (r#""73.08.21.1003""#, true),
            (r#""7308211003""#, true),
            (r#""73.08.21.103""#, false),
            ("7308211003", false),
        ];
        for (json, ok) in cases {
            let parsed: Result<RegionCode, _> = serde_json::from_str(json);
            assert_eq!(parsed.is_ok(), ok, "{json}");
        }
        let json = serde_json::to_string(&code("7308211003")).unwrap_or_default();
        assert_eq!(json, r#""73.08.21.1003""#);
        let level = serde_json::to_string(&[
            Level::Province,
            Level::Regency,
            Level::District,
            Level::Village,
        ])
        .unwrap_or_default();
        assert_eq!(
            level,
            r#"["provinsi","kabupaten_kota","kecamatan","desa_kelurahan"]"#
        );
        let kind = serde_json::to_string(&RegionKind::ALL).unwrap_or_default();
        assert_eq!(
            kind,
            r#"["provinsi","kabupaten","kota","kecamatan","kelurahan","desa","desa_adat"]"#
        );
        for k in RegionKind::ALL {
            assert_eq!(RegionKind::from_code(k.code()), Some(k));
        }
        for l in Level::ALL {
            assert_eq!(Level::from_code(l.code()), Some(l));
        }
    }

    #[test]
    fn region_official_counts() {
        let tree = official();
        // level, count
        let levels = [
            (Level::Province, 38),
            (Level::Regency, 514),
            (Level::District, 7285),
            (Level::Village, 83762),
        ];
        for (level, count) in levels {
            assert_eq!(tree.count(level), count, "{level:?}");
        }
        assert_eq!(tree.len(), 91_599);
        assert_eq!(tree.all().count(), 91_599);
        // kind, count
        let kinds = [
            (RegionKind::Provinsi, 38),
            (RegionKind::Kabupaten, 416),
            (RegionKind::Kota, 98),
            (RegionKind::Kecamatan, 7285),
            (RegionKind::Desa, 75_252),
            (RegionKind::Kelurahan, 8496),
            (RegionKind::DesaAdat, 14),
        ];
        for (kind, count) in kinds {
            assert_eq!(
                tree.all().filter(|r| r.kind == kind).count(),
                count,
                "{kind:?}"
            );
        }
        let desa_adat_outside_jayapura = tree
            .all()
            .filter(|r| r.kind == RegionKind::DesaAdat && !r.code.is_within(&code("91.03")))
            .count();
        assert_eq!(desa_adat_outside_jayapura, 0);
        // all() yields parents before children.
        let levels: Vec<Level> = tree.all().map(Region::level).collect();
        assert!(levels.is_sorted());
    }

    #[test]
    fn region_lookups() {
        let tree = official();
        // code, name, kind, has coordinates
        let cases = [
            ("73", "Sulawesi Selatan", RegionKind::Provinsi, true),
            ("73.08", "Kabupaten Bone", RegionKind::Kabupaten, true),
            ("73.08.21", "Tanete Riattang", RegionKind::Kecamatan, true),
            ("73.08.21.1003", "Watampone", RegionKind::Kelurahan, true),
            ("53.07.01.2021", "Regapu’u", RegionKind::Desa, false),
            (
                "12.07.28.1007",
                "Lubuk Pakam I,II",
                RegionKind::Kelurahan,
                true,
            ),
        ];
        for (c, name, kind, located) in cases {
            let region = tree.get(&code(c));
            assert_eq!(
                region.map(|r| (r.name.as_str(), r.kind)),
                Some((name, kind)),
                "{c}"
            );
            assert_eq!(
                region.is_some_and(|r| r.lat.is_some() && r.lng.is_some()),
                located,
                "{c}"
            );
        }
        // unknown codes
        for c in ["73.08.21.1009", "73.08.99", "73.98", "10", "99.01.01.2001"] {
            assert!(tree.get(&code(c)).is_none(), "{c}");
        }
        let located = tree
            .all()
            .filter(|r| r.level() == Level::Village && r.lat.is_some())
            .count();
        assert_eq!(located, 83_254);
    }

    #[test]
    fn region_children() {
        let tree = official();
        let names: Vec<&str> = tree
            .children(&code("73.08.21"))
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Biru",
                "Ta",
                "Watampone",
                "Bukaka",
                "Pappolo",
                "Manurunge",
                "Walanae",
                "Masumpu"
            ]
        );
        // parent, number of children
        let cases = [
            ("73.08", 27),
            ("73.08.21", 8),
            ("73.08.21.1003", 0),
            ("73.08.99", 0),
            ("91.03", 19),
        ];
        for (c, n) in cases {
            let children = tree.children(&code(c));
            assert_eq!(children.len(), n, "{c}");
            assert!(
                children
                    .iter()
                    .all(|r| r.code.parent().as_ref() == Some(&code(c))),
                "{c}"
            );
        }
        assert_eq!(tree.provinces().len(), 38);
        assert_eq!(
            tree.provinces().first().map(|r| r.name.as_str()),
            Some("Aceh")
        );
    }

    #[test]
    fn region_villages_under() {
        let tree = official();
        // code, villages, kelurahan
        let cases = [
            ("73.08", 372, 44),
            ("7308", 372, 44),
            ("73.08.21", 8, 8),
            ("73.08.21.1003", 1, 1),
            ("73.08.21.1009", 0, 0),
            ("91.03", 144, 5),
        ];
        for (c, villages, kelurahan) in cases {
            let under: Vec<&Region> = tree.villages_under(&code(c)).collect();
            assert_eq!(under.len(), villages, "{c}");
            assert_eq!(
                under
                    .iter()
                    .filter(|r| r.kind == RegionKind::Kelurahan)
                    .count(),
                kelurahan,
                "{c}"
            );
            assert!(
                under
                    .iter()
                    .all(|r| r.level() == Level::Village && r.code.is_within(&code(c))),
                "{c}"
            );
            assert!(under.is_sorted_by_key(|r| &r.code), "{c}");
        }
        assert_eq!(
            tree.villages_under(&code("91.03"))
                .filter(|r| r.kind == RegionKind::DesaAdat)
                .count(),
            14
        );
        // "73.08" must not reach into a "73.08x" neighbour: compare with a full scan.
        for c in ["73", "73.08", "73.71", "91.03", "11.01.01"] {
            let scanned = tree
                .all()
                .filter(|r| r.level() == Level::Village && r.code.is_within(&code(c)))
                .count();
            assert_eq!(tree.villages_under(&code(c)).len(), scanned, "{c}");
        }
        let total: usize = tree
            .provinces()
            .iter()
            .map(|p| tree.villages_under(&p.code).len())
            .sum();
        assert_eq!(total, 83_762);
    }

    #[test]
    fn region_name_keys() {
        // input, key
        let cases = [
            ("Regapu’u", "regapuu"),
            ("Regapu'u", "regapuu"),
            ("REGAPU‘U", "regapuu"),
            ("Tanete  Riattang", "taneteriattang"),
            ("Kab. Bone-Bone", "kabbonebone"),
            ("Lubuk Pakam I,II", "lubukpakami,ii"),
            ("", ""),
        ];
        for (input, key) in cases {
            assert_eq!(name_key(input), key, "{input:?}");
        }
    }

    #[test]
    fn region_find_by_name() {
        let tree = official();
        // query, within, level, expected codes
        type Case = (
            &'static str,
            Option<&'static str>,
            Option<Level>,
            &'static [&'static str],
        );
        let cases: &[Case] = &[
            ("ta", Some("73.08.21"), None, &["73.08.21.1002"]),
            (
                "TA",
                Some("73.08.21"),
                Some(Level::Village),
                &["73.08.21.1002"],
            ),
            ("ta", Some("73.08.21"), Some(Level::District), &[]),
            ("regapuu", Some("53.07"), None, &["53.07.01.2021"]),
            ("Regapu'u", Some("53.07"), None, &["53.07.01.2021"]),
            ("regapu’u", None, None, &["53.07.01.2021"]),
            ("bone", None, Some(Level::Regency), &["73.08"]),
            ("Kabupaten Bone", None, None, &["73.08"]),
            ("kab. bone", None, None, &["73.08"]),
            ("Kab Bone", None, None, &["73.08"]),
            (
                "bone",
                Some("73"),
                None,
                &["73.06.02.2013", "73.08", "73.10.09.1003", "73.22.03.1002"],
            ),
            ("Tanete Riattang", None, None, &["73.08.21"]),
            ("tanete riattang barat", None, None, &["73.08.22"]),
            ("Makassar", None, Some(Level::Regency), &["73.71"]),
            ("Kota Makassar", None, None, &["73.71"]),
            ("", None, None, &[]),
            ("tidak ada nama ini", None, None, &[]),
        ];
        for &(query, within, level, expected) in cases {
            let within = within.map(code);
            let found: Vec<&str> = tree
                .find_by_name(query, within.as_ref(), level)
                .iter()
                .map(|r| r.code.as_str())
                .collect();
            assert_eq!(found, expected, "{query:?} within {within:?} at {level:?}");
        }
        let bone = tree.find_by_name("bone", None, None);
        assert!(bone.len() > 2 && bone.iter().any(|r| r.name == "Kabupaten Bone"));
        assert!(bone.is_sorted_by_key(|r| &r.code));
    }

    #[test]
    fn region_search_names() {
        let tree = official();
        // query, limit, first result's code, number of results
        let cases = [
            ("Watampone", 5, Some("73.08.21.1003"), 1),
            ("bone", 3, Some("73.08"), 3),
            ("bone bolango", 10, Some("75.03"), 1),
            ("sulawesi sel", 5, Some("73"), 1),
            ("tanete riattang", 10, Some("73.08.21"), 3),
            ("regapu", 5, Some("53.07.01.2021"), 1),
            ("", 5, None, 0),
            ("bone", 0, None, 0),
            ("zzzzqqq", 5, None, 0),
        ];
        for (query, limit, first, n) in cases {
            let found = tree.search_names(query, 0, limit).regions;
            assert_eq!(found.first().map(|r| r.code.as_str()), first, "{query:?}");
            assert_eq!(found.len(), n, "{query:?}");
        }
        // Equal names come before names that only start with or contain the query.
        let found = tree.search_names("bone", 0, 100).regions;
        let key_rank = |r: &Region| {
            let keys = [
                Some(name_key(&r.name)),
                strip_regency_prefix(&r.name).map(name_key),
            ];
            if keys.iter().flatten().any(|k| k == "bone") {
                0
            } else if keys.iter().flatten().any(|k| k.starts_with("bone")) {
                1
            } else {
                2
            }
        };
        assert!(found.iter().map(|r| key_rank(r)).is_sorted());
        assert!(found.iter().any(|r| key_rank(r) == 1) && found.iter().any(|r| key_rank(r) == 2));
    }

    #[test]
    fn region_search_kind_prefixes() {
        let tree = official();
        // query, the kinds every result must be of, the first result's code
        let cases: &[(&str, &[RegionKind], &str)] = &[
            ("Kel. Watampone", &[RegionKind::Kelurahan], "73.08.21.1003"),
            ("kel watampone", &[RegionKind::Kelurahan], "73.08.21.1003"),
            (
                "Kelurahan Watampone",
                &[RegionKind::Kelurahan],
                "73.08.21.1003",
            ),
            ("Kec. Tanete Riattang", &[RegionKind::Kecamatan], "73.08.21"),
            (
                "Kecamatan tanete riattang",
                &[RegionKind::Kecamatan],
                "73.08.21",
            ),
            ("Kab. Bone", &[RegionKind::Kabupaten], "73.08"),
            ("kabupaten bone", &[RegionKind::Kabupaten], "73.08"),
            ("Kota Makassar", &[RegionKind::Kota], "73.71"),
            ("Prov. Sulawesi Selatan", &[RegionKind::Provinsi], "73"),
            (
                "Desa Regapu'u",
                &[RegionKind::Desa, RegionKind::DesaAdat],
                "53.07.01.2021",
            ),
        ];
        for &(query, kinds, first) in cases {
            let found = tree.search_names(query, 0, 1000);
            assert_eq!(
                found.regions.first().map(|r| r.code.as_str()),
                Some(first),
                "{query:?}"
            );
            assert!(
                found.regions.iter().all(|r| kinds.contains(&r.kind)),
                "{query:?}: {:?}",
                found
                    .regions
                    .iter()
                    .map(|r| (&r.code, r.kind))
                    .collect::<Vec<_>>()
            );
        }
        // "Kel. Bone" leaves out the kabupaten and the desa that "bone" alone finds.
        let any = tree.search_names("bone", 0, 10_000);
        let kel = tree.search_names("Kel. Bone", 0, 10_000);
        assert!(kel.total > 0 && kel.total < any.total);
        assert!(any.regions.iter().any(|r| r.kind == RegionKind::Kabupaten));
        assert!(any.regions.iter().any(|r| r.kind == RegionKind::Desa));
        // A kind with nothing of that kind behind it is read as part of the name.
        let plain = tree.search_names("kota baru", 0, 10_000);
        let prefixed = tree.search_names("Kota Baru", 0, 10_000);
        assert_eq!(plain.total, prefixed.total);
        assert!(prefixed.regions.iter().any(|r| r.kind != RegionKind::Kota));
        // A kecamatan is found by its name alone.
        let found = tree.search_names("Tanete Riattang Timur", 0, 10).regions;
        assert_eq!(found.first().map(|r| r.kind), Some(RegionKind::Kecamatan));
    }

    #[test]
    fn region_search_pages() {
        let tree = official();
        let all = tree.search_names("bone", 0, 10_000);
        assert!(all.total > 20, "{}", all.total);
        assert_eq!(all.regions.len(), all.total);
        let first = tree.search_names("bone", 0, 10);
        let second = tree.search_names("bone", 10, 10);
        assert_eq!((first.total, second.total), (all.total, all.total));
        assert_eq!(first.regions.len(), 10);
        let codes = |rs: &[&Region]| rs.iter().map(|r| r.code.clone()).collect::<Vec<_>>();
        assert_eq!(codes(&first.regions), codes(&all.regions[..10]));
        assert_eq!(codes(&second.regions), codes(&all.regions[10..20]));
        let past = tree.search_names("bone", all.total, 10);
        assert!(past.regions.is_empty());
        assert_eq!(past.total, all.total);
    }

    #[test]
    fn region_parent_area() {
        let tree = official();
        let area = |c: &str| tree.get(&code(c)).and_then(|r| tree.parent_area(r));
        let cases = [
            ("73.08.21.1003", Some("Kec. Tanete Riattang, Kab. Bone")),
            ("73.08.21", Some("Kab. Bone, Sulawesi Selatan")),
            ("73.71.01", Some("Kota Makassar, Sulawesi Selatan")),
            ("73.08", Some("Sulawesi Selatan")),
            ("73", None),
        ];
        for (c, expected) in cases {
            assert_eq!(area(c).as_deref(), expected, "{c}");
        }
    }

    #[test]
    fn region_suggest_and_resolve() {
        let tree = official();
        // unknown code, nearest suggestions (limit 3)
        let cases: &[(&str, &[&str])] = &[
            (
                "73.08.21.1009",
                &["73.08.21.1008", "73.08.21.1007", "73.08.21.1006"],
            ),
            (
                "73.08.21.2001",
                &["73.08.21.1008", "73.08.21.1007", "73.08.21.1006"],
            ),
            ("73.08.99", &["73.08.27", "73.08.26", "73.08.25"]),
            ("73.08.99.1001", &["73.08.27", "73.08.26", "73.08.25"]),
            ("10", &["11", "12", "13"]),
            ("10.01.01.1001", &["11", "12", "13"]),
        ];
        for &(c, expected) in cases {
            let found: Vec<&str> = tree
                .suggest(&code(c), 3)
                .iter()
                .map(|r| r.code.as_str())
                .collect();
            assert_eq!(found, expected, "{c}");
        }
        // input, resolved code
        let resolved = [
            ("73.08.21.1003", Some("73.08.21.1003")),
            ("7308211003", Some("73.08.21.1003")),
            (" 73.08 ", Some("73.08")),
            ("73.08.21.1009", None),
            ("73.08.21.10", None),
        ];
        for (input, expected) in resolved {
            assert_eq!(
                tree.resolve(input).ok().map(|r| r.code.as_str()),
                expected,
                "{input:?}"
            );
        }
        let err = tree
            .resolve("73.08.21.1009")
            .err()
            .map(|e| format!("{e:?}"))
            .unwrap_or_default();
        assert!(
            err.contains("73.08.21.1008 Masumpu, 73.08.21.1007 Walanae"),
            "{err}"
        );
        assert!(err.contains("kode_wilayah"), "{err}");
        let err = tree
            .resolve("73.08.21.10")
            .err()
            .map(|e| format!("{e:?}"))
            .unwrap_or_default();
        assert!(err.contains("7308211003"), "{err}");
    }

    const PROVINCES: &str =
        "code,parent_code,name,lat,lng,kind\n73,,Sulawesi Selatan,-3.6,120.0,provinsi\n";
    const REGENCIES: &str =
        "code,parent_code,name,lat,lng,kind\r\n73.08,73,\"Kabupaten \"\"Bone\"\"\",,,kabupaten\r\n";
    const DISTRICTS: &str =
        "code,parent_code,name,lat,lng,kind\n73.08.21,73.08,Tanete Riattang,,,kecamatan";
    const VILLAGES: &str = "code,parent_code,name,lat,lng,kind
73.08.21.1001,73.08.21,\"Biru, Atas\",-4.5,120.3,kelurahan
73.08.21.2001,73.08.21,Ta’a,,,desa
";

    #[test]
    fn region_from_csv() {
        let tree = RegionTree::from_csv(PROVINCES, REGENCIES, DISTRICTS, VILLAGES);
        let tree = tree.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tree.len(), 5);
        // code, name
        let cases = [
            ("73.08", "Kabupaten \"Bone\""),
            ("73.08.21.1001", "Biru, Atas"),
            ("73.08.21.2001", "Ta’a"),
        ];
        for (c, name) in cases {
            assert_eq!(
                tree.get(&code(c)).map(|r| r.name.as_str()),
                Some(name),
                "{c}"
            );
        }
        assert_eq!(tree.find_by_name("taa", None, None).len(), 1);
        assert_eq!(tree.find_by_name("\"bone\"", None, None).len(), 1);

        // villages.csv, error fragment
        let header = "code,parent_code,name,lat,lng,kind\n";
        let bad = [
            ("", "line 1: expected the header"),
            ("code,name\n", "line 1: expected the header"),
            (
                "73.08.21.1001,73.08.21,Biru,,,kelurahan\n",
                "expected the header",
            ),
            (
                "73.08.21.1001,73.08.21,Biru,,kelurahan\n",
                "line 2: expected 6 fields",
            ),
            (
                "7308211001,73.08.21,Biru,,,kelurahan\n",
                "line 2: invalid code",
            ),
            ("73.08.21,73.08,Biru,,,kelurahan\n", "not at level"),
            (
                "73.08.21.1001,73.08,Biru,,,kelurahan\n",
                "wrong parent_code",
            ),
            (
                "73.08.22.1001,73.08.22,Biru,,,kelurahan\n",
                "parent 73.08.22 does not exist",
            ),
            ("73.08.21.1001,73.08.21,Biru,,,desa\n", "does not fit"),
            ("73.08.21.1001,73.08.21,Biru,,,kota\n", "does not fit"),
            ("73.08.21.1001,73.08.21,Biru,,,dusun\n", "unknown kind"),
            ("73.08.21.1001,73.08.21, ,,,kelurahan\n", "empty name"),
            (
                "73.08.21.1001,73.08.21,Biru,-4.5,,kelurahan\n",
                "invalid lng",
            ),
            (
                "73.08.21.1001,73.08.21,Biru,95,120,kelurahan\n",
                "invalid lat",
            ),
            (
                "73.08.21.1001,73.08.21,\"Biru,,,kelurahan\n",
                "unterminated",
            ),
            (
                "73.08.21.1001,73.08.21,\"Biru\"x,,,kelurahan\n",
                "after a quoted field",
            ),
            (
                "73.08.21.1001,73.08.21,Bi\"ru,,,kelurahan\n",
                "quote inside",
            ),
            (
                "73.08.21.1002,73.08.21,A,,,kelurahan\n73.08.21.1001,73.08.21,B,,,kelurahan\n",
                "line 3: 73.08.21.1001 is not after",
            ),
            (
                "73.08.21.1001,73.08.21,A,,,kelurahan\n73.08.21.1001,73.08.21,B,,,kelurahan\n",
                "is not after",
            ),
            (
                "73.08.21.1001,73.08.21,A,,,kelurahan\n\n",
                "line 3: expected 6 fields",
            ),
        ];
        for (rows, fragment) in bad {
            let villages = if fragment.contains("header") {
                rows.to_owned()
            } else {
                format!("{header}{rows}")
            };
            let err = RegionTree::from_csv(PROVINCES, REGENCIES, DISTRICTS, &villages)
                .err()
                .unwrap_or_default();
            assert!(
                err.starts_with("villages.csv: ") && err.contains(fragment),
                "{rows:?}: {err}"
            );
        }
    }
}
