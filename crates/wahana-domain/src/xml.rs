//! The one escaper of text for XML, SVG and HTML (GraphML, the network drawing, the report).

/// Text escaped for XML content and attribute values. Characters XML 1.0 cannot carry at all
/// (most control characters) become U+FFFD, so the document always parses.
pub struct Xml<'a>(pub &'a str);

impl std::fmt::Display for Xml<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(|c: char| needs_escape(c)) {
            f.write_str(&rest[..i])?;
            let c = rest[i..].chars().next().unwrap_or('\u{FFFD}');
            f.write_str(match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => "\u{FFFD}",
            })?;
            rest = &rest[i + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'')
        || (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::Xml;

    #[test]
    fn markup_quotes_and_control_characters_are_escaped() {
        for (text, escaped) in [
            ("a&\"<", "a&amp;&quot;&lt;"),
            (
                "<script>alert('x')</script>",
                "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;",
            ),
            ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
            ("bell\u{7} and \u{FFFF}", "bell\u{FFFD} and \u{FFFD}"),
            ("Désa Bontoa — ≥ 10", "Désa Bontoa — ≥ 10"),
        ] {
            assert_eq!(Xml(text).to_string(), escaped, "{text:?}");
        }
    }
}
