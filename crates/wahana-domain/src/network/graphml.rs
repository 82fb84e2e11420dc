//! GraphML export, for Gephi, Cytoscape, yEd or networkx.

use super::{Graph, NetworkMeasures};
use crate::codes::Code;
use crate::xml::Xml;
use std::fmt::Write;

/// The graph as a GraphML document. Nodes carry `label` and `name` (the actor's name), `kind`,
/// `group_type` and `village` (codes), and `degree` and `betweenness` from `measures` (left out
/// when `measures` belongs to another graph).
pub fn to_graphml(graph: &Graph, measures: &NetworkMeasures) -> String {
    let n = graph.node_count();
    let measured = measures.per_node.len() == n;
    let mut out = String::with_capacity(200 + n * 200 + graph.tie_count() * 40);
    out.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns ",
        "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
        "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n",
        "  <key id=\"name\" for=\"node\" attr.name=\"name\" attr.type=\"string\"/>\n",
        "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n",
        "  <key id=\"group_type\" for=\"node\" attr.name=\"group_type\" attr.type=\"string\"/>\n",
        "  <key id=\"village\" for=\"node\" attr.name=\"village\" attr.type=\"string\"/>\n",
        "  <key id=\"degree\" for=\"node\" attr.name=\"degree\" attr.type=\"int\"/>\n",
        "  <key id=\"betweenness\" for=\"node\" attr.name=\"betweenness\" attr.type=\"double\"/>\n",
        "  <graph id=\"wahana\" edgedefault=\"undirected\">\n",
    ));
    for i in 0..n {
        let id = graph.node_id(i);
        let _ = writeln!(out, "    <node id=\"{}\">", Xml(&id));
        if let Some(node) = graph.node(i) {
            data(&mut out, "label", &node.name);
            data(&mut out, "name", &node.name);
            data(&mut out, "kind", node.kind.code());
            if let Some(t) = node.group_type {
                data(&mut out, "group_type", t.code());
            }
            if let Some(v) = &node.village {
                data(&mut out, "village", v.as_str());
            }
        }
        if measured {
            let m = &measures.per_node[i];
            data(&mut out, "degree", &m.degree.to_string());
            // `{:?}` writes the shortest text that reads back to the same f64.
            data(&mut out, "betweenness", &format!("{:?}", m.betweenness));
        }
        out.push_str("    </node>\n");
    }
    for (a, b) in graph.ties() {
        let _ = writeln!(
            out,
            "    <edge source=\"{}\" target=\"{}\"/>",
            Xml(&graph.node_id(a as usize)),
            Xml(&graph.node_id(b as usize))
        );
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

fn data(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "      <data key=\"{key}\">{}</data>", Xml(value));
}

#[cfg(test)]
mod tests {
    use super::super::tests::group;
    use super::super::{Graph, measure};
    use super::*;

    #[test]
    fn escapes() {
        let cases = [
            ("plain", "plain"),
            (
                "<script>alert('x')</script>",
                "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;",
            ),
            (
                "Tani & Nelayan \"Jeppe'e\"",
                "Tani &amp; Nelayan &quot;Jeppe&apos;e&quot;",
            ),
            ("Regapu’u", "Regapu’u"),
            ("a\u{0}b\u{1b}c\td", "a\u{FFFD}b\u{FFFD}c\td"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(Xml(raw).to_string(), want, "{raw:?}");
        }
    }

    #[test]
    fn graphml_carries_nodes_edges_and_measures() {
        let mut a = group("a&1", Some("73.08.21.1003"));
        a.name = "<script>alert('Ta’')</script> & co".to_owned();
        let g = Graph::build(
            vec![a, group("b", None), group("c", None)],
            [("a&1", "b"), ("b", "c")],
        );
        let xml = to_graphml(&g, &measure(&g, 3));
        for want in [
            "<node id=\"a&amp;1\">",
            "<data key=\"name\">&lt;script&gt;alert(&apos;Ta’&apos;)&lt;/script&gt; &amp; co</data>",
            "<data key=\"kind\">kelompok</data>",
            "<data key=\"group_type\">arisan</data>",
            "<data key=\"village\">73.08.21.1003</data>",
            "<data key=\"betweenness\">1.0</data>",
            "<data key=\"degree\">2</data>",
            "<edge source=\"a&amp;1\" target=\"b\"/>",
            "<edge source=\"b\" target=\"c\"/>",
            "edgedefault=\"undirected\"",
        ] {
            assert!(xml.contains(want), "missing {want} in\n{xml}");
        }
        assert!(!xml.contains("<script>"));
        assert_eq!(xml.matches("<edge ").count(), 2);
        assert_eq!(xml.matches("<node ").count(), 3);
    }
}
