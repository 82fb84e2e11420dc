//! Normalisation of names, of people's names and of RT/RW for comparison.

/// Phrase rewrites applied to the words of a name, longest match first: abbreviations of group
/// types and common words to their full form, and a few long forms to the acronym everyone uses
/// (so "Kelompok Usaha Bersama" and "KUBE" compare equal).
const REWRITES: &[(&[&str], &[&str])] = &[
    (&["kerukunan", "kel"], &["kerukunan", "keluarga"]),
    (&["kerukunan", "klg"], &["kerukunan", "keluarga"]),
    (&["kelompok", "usaha", "bersama"], &["kube"]),
    (&["pemberdayaan", "kesejahteraan", "keluarga"], &["pkk"]),
    (&["tp", "pkk"], &["pkk"]),
    (&["lembaga", "kesejahteraan", "sosial"], &["lks"]),
    (&["dasa", "wisma"], &["dasawisma"]),
    (&["pos", "yandu"], &["posyandu"]),
    (&["kel"], &["kelompok"]),
    (&["klp"], &["kelompok"]),
    (&["kelp"], &["kelompok"]),
    (&["klpk"], &["kelompok"]),
    (&["kelomp"], &["kelompok"]),
    (&["kelompk"], &["kelompok"]),
    (&["poktan"], &["kelompok", "tani"]),
    (&["gapoktan"], &["gabungan", "kelompok", "tani"]),
    (&["mt"], &["majelis", "taklim"]),
    (&["majlis"], &["majelis"]),
    (&["mjl"], &["majelis"]),
    (&["mjls"], &["majelis"]),
    (&["talim"], &["taklim"]),
    (&["kt"], &["karang", "taruna"]),
    (&["kartar"], &["karang", "taruna"]),
    (&["rk"], &["rukun", "kematian"]),
    (&["rukem"], &["rukun", "kematian"]),
    (&["remas"], &["remaja", "masjid"]),
    (&["irmas"], &["remaja", "masjid"]),
    (&["risma"], &["remaja", "masjid"]),
    (&["mesjid"], &["masjid"]),
    (&["kub"], &["kube"]),
    (&["kop"], &["koperasi"]),
    (&["kopr"], &["koperasi"]),
    (&["lemb"], &["lembaga"]),
    (&["ds"], &["desa"]),
    (&["dsn"], &["dusun"]),
    (&["kp"], &["kampung"]),
    (&["kmp"], &["kampung"]),
    (&["lingk"], &["lingkungan"]),
    (&["bpk"], &["bapak"]),
    (&["bp"], &["bapak"]),
    (&["pak"], &["bapak"]),
    (&["bu"], &["ibu"]),
    (&["no"], &[]),
    (&["nomor"], &[]),
    (&["nr"], &[]),
    (&["muh"], &["muhammad"]),
    (&["moh"], &["muhammad"]),
    (&["mhd"], &["muhammad"]),
    (&["muhd"], &["muhammad"]),
    (&["mohd"], &["muhammad"]),
    (&["muhamad"], &["muhammad"]),
    (&["mohammad"], &["muhammad"]),
    (&["mohamad"], &["muhammad"]),
    (&["abd"], &["abdul"]),
    (&["h"], &["haji"]),
    (&["hj"], &["hajah"]),
    (&["hajjah"], &["hajah"]),
];

/// Words written doubled with a "2" ("ibu2" is "ibu ibu"); after any other word a trailing
/// digit is a number ("Mawar2" is "Mawar 2").
const REDUPLICATED: &[&str] = &["ibu", "bapak", "anak", "remaja", "pemuda", "kawan", "warga"];

/// The words that name a group's kind rather than the group: every type's label and a few
/// generic words. They are left out of the *distinctive* part of a name, which is what tells
/// "Arisan Mawar" from "Arisan Melati" (the type itself is compared as a code).
const GENERIC: &[&[&str]] = &[
    &["gabungan", "kelompok", "tani"],
    &["rukun", "kematian"],
    &["majelis", "taklim"],
    &["remaja", "masjid"],
    &["karang", "taruna"],
    &["kelompok", "tani"],
    &["kelompok", "nelayan"],
    &["kelompok", "ronda"],
    &["kelompok", "seni"],
    &["kerukunan", "keluarga"],
    &["paguyuban", "daerah"],
    &["lembaga", "adat"],
    &["kelompok"],
    &["arisan"],
    &["pkk"],
    &["dasawisma"],
    &["posyandu"],
    &["kube"],
    &["koperasi"],
    &["lks"],
    &["lainnya"],
    &["paguyuban"],
    &["kerukunan"],
    &["desa"],
    &["dusun"],
    &["kelurahan"],
    &["ibu"],
    &["bapak"],
];

/// Titles and degrees around a person's name, left out when chairs are compared.
const TITLES: &[&str] = &[
    "haji", "hajah", "bapak", "ibu", "drs", "dra", "ir", "dr", "prof", "s", "pd", "spd", "se",
    "sh", "st", "sag", "ag", "sos", "ssos", "mm",
];

fn fold_char(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        let folded = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            other => other,
        };
        out.push(folded);
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2018}' | '\u{2019}' | '`' | '\u{B4}' | '\u{2BC}' | '\u{2BB}'
    )
}

fn roman(s: &str) -> Option<u32> {
    const R: &[&str] = &[
        "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii",
    ];
    R.iter().position(|r| *r == s).map(|p| p as u32 + 1)
}

/// Lowercased words and numbers: apostrophes vanish ("Ta'lim" is "talim"), other punctuation
/// separates, letters and digits part ("RW03"), numbers lose leading zeros, Roman numerals
/// become numbers. `acronyms` joins runs of single letters ("M.T." is "mt", "K.U.B.E." "kube").
fn raw_tokens(s: &str, acronyms: bool) -> Vec<String> {
    let mut text = String::with_capacity(s.len());
    for c in s.chars() {
        if is_apostrophe(c) {
            continue;
        }
        if c.is_alphanumeric() {
            fold_char(c, &mut text);
        } else {
            text.push(' ');
        }
    }
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        // Split at letter/digit boundaries.
        let mut parts: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut cur_digit = None;
        for c in word.chars() {
            let d = c.is_numeric();
            if cur_digit.is_some_and(|x| x != d) {
                parts.push(std::mem::take(&mut cur));
            }
            cur_digit = Some(d);
            cur.push(c);
        }
        if !cur.is_empty() {
            parts.push(cur);
        }
        if parts.len() == 2 && parts[1] == "2" && REDUPLICATED.contains(&parts[0].as_str()) {
            let w = parts[0].clone();
            out.push(w.clone());
            out.push(w);
            continue;
        }
        for p in parts {
            if p.chars().all(|c| c.is_ascii_digit()) {
                let t = p.trim_start_matches('0');
                out.push(if t.is_empty() { "0".into() } else { t.into() });
            } else {
                out.push(p);
            }
        }
    }
    if acronyms {
        let mut joined: Vec<String> = Vec::with_capacity(out.len());
        let mut run = String::new();
        let mut run_len = 0;
        let flush = |joined: &mut Vec<String>, run: &mut String, run_len: &mut usize| {
            if *run_len > 0 {
                joined.push(std::mem::take(run));
                *run_len = 0;
            }
        };
        for t in out {
            let single = t.chars().count() == 1 && t.chars().all(char::is_alphabetic);
            if single {
                run.push_str(&t);
                run_len += 1;
            } else {
                flush(&mut joined, &mut run, &mut run_len);
                joined.push(t);
            }
        }
        flush(&mut joined, &mut run, &mut run_len);
        out = joined;
    }
    // Roman numerals (after acronyms, so "M.T." is not read as numbers).
    for t in &mut out {
        if let Some(n) = roman(t) {
            *t = n.to_string();
        }
    }
    out
}

/// Applies [`REWRITES`], longest match first.
fn rewrite(tokens: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(tokens.len() + 2);
    let mut i = 0;
    while i < tokens.len() {
        let mut best: Option<(usize, &[&str])> = None;
        for (from, to) in REWRITES {
            let n = from.len();
            if i + n <= tokens.len()
                && from.iter().zip(&tokens[i..i + n]).all(|(a, b)| *a == b)
                && best.is_none_or(|(m, _)| n > m)
            {
                best = Some((n, to));
            }
        }
        match best {
            Some((n, to)) => {
                out.extend(to.iter().map(|s| s.to_string()));
                i += n;
            }
            None => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// The words of a group's name in canonical form.
pub fn name_tokens(name: &str) -> Vec<String> {
    rewrite(raw_tokens(name, true))
}

/// A group's name in canonical form: lowercase, no punctuation, single spaces, the common
/// abbreviations written out ("Kel. Tani  MAJU" and "Kelompok Tani Maju" both give
/// `kelompok tani maju`).
pub fn normalize_name(name: &str) -> String {
    name_tokens(name).join(" ")
}

/// The distinctive words of a canonical name: without [`GENERIC`] phrases.
pub(super) fn distinctive(tokens: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    'outer: while i < tokens.len() {
        for g in GENERIC {
            let n = g.len();
            if i + n <= tokens.len() && g.iter().zip(&tokens[i..i + n]).all(|(a, b)| *a == b) {
                i += n;
                continue 'outer;
            }
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

pub(super) fn person_tokens(name: &str) -> Vec<String> {
    rewrite(raw_tokens(name, false))
        .into_iter()
        .filter(|t| !TITLES.contains(&t.as_str()))
        .collect()
}

/// A person's name in canonical form, without titles and degrees ("Hj. Andi Rahmawati, S.Pd."
/// is `andi rahmawati`).
pub fn normalize_person(name: &str) -> String {
    person_tokens(name).join(" ")
}

/// A local unit (`unit_lokal`) as (kind, value) pairs: "RW 03", "rw.3" and "RW3" are all
/// `("rw", "3")`; "RT 2/RW 5" gives both; "Dusun Biru" gives `("dusun", "biru")`; a bare
/// number gives `("", "3")`.
pub fn parse_local_unit(s: &str) -> Vec<(String, String)> {
    let tokens = rewrite(raw_tokens(s, false));
    let kinds = ["rt", "rw", "dusun", "lingkungan", "kampung"];
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        if kinds.contains(&t) {
            let mut value = Vec::new();
            let mut j = i + 1;
            while j < tokens.len() && !kinds.contains(&tokens[j].as_str()) {
                value.push(tokens[j].clone());
                j += 1;
                if value
                    .last()
                    .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit()))
                {
                    break;
                }
            }
            out.push((t.to_string(), value.join(" ")));
            i = j;
        } else {
            if t.chars().all(|c| c.is_ascii_digit()) && out.is_empty() {
                out.push((String::new(), t.to_string()));
            }
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_case_spacing_punctuation_and_abbreviations() {
        for (a, b) in [
            ("Kel. Tani Maju", "Kelompok Tani Maju"),
            ("KLP TANI  maju.", "kelompok tani maju"),
            ("Poktan Maju", "Kelompok Tani Maju"),
            ("MT Nurul Huda", "Majelis Taklim Nurul Huda"),
            ("M.T. Nurul-Huda", "Majelis Taklim Nurul Huda"),
            ("Majlis Ta'lim Al-Ikhlas", "Majelis taklim Al Ikhlas"),
            ("Majelis Ta\u{2019}lim Al-Ikhlas", "majelis talim al ikhlas"),
            ("Arisan Ibu2 Mawar", "Arisan Ibu Ibu Mawar"),
            ("Dasawisma Mawar 03", "Dasa Wisma Mawar 3"),
            ("Dasawisma Mawar II", "Dasawisma Mawar 2"),
            ("Dasawisma Mawar No. 2", "Dasawisma Mawar2"),
            ("K.U.B.E. Sejahtera", "Kelompok Usaha Bersama Sejahtera"),
            ("Kerukunan Kel. Sipatuo", "Kerukunan Keluarga Sipatuo"),
            ("RK Resopa", "Rukun Kematian Resopa"),
            ("Remas Al-Falah", "Remaja Mesjid Al Falah"),
            ("KT Tunas Muda", "Karang Taruna Tunas Muda"),
            ("Arisan Jeppe'e", "ARISAN JEPPEE"),
            ("  Kelompok   Séni  Padaidi ", "kelompok seni padaidi"),
        ] {
            assert_eq!(normalize_name(a), normalize_name(b), "{a} ~ {b}");
        }
        assert_eq!(normalize_name("Kel. Tani Maju"), "kelompok tani maju");
        assert_ne!(
            normalize_name("Dasawisma Mawar 1"),
            normalize_name("Dasawisma Mawar 2")
        );
    }

    #[test]
    fn local_units_parse_in_their_many_spellings() {
        let rw3 = vec![("rw".to_string(), "3".to_string())];
        for s in ["RW 03", "rw.3", "RW03", "Rw. 003"] {
            assert_eq!(parse_local_unit(s), rw3, "{s}");
        }
        assert_eq!(
            parse_local_unit("RT 2/RW 5"),
            vec![("rt".into(), "2".into()), ("rw".into(), "5".into())]
        );
        assert_eq!(
            parse_local_unit("Dusun Biru"),
            vec![("dusun".into(), "biru".into())]
        );
        assert_eq!(parse_local_unit("03"), vec![(String::new(), "3".into())]);
    }
}
