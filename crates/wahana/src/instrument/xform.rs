//! The XForm (ODK XForms XML) that wahana serves to ODK Collect, written from the same questions
//! and choices as the XLSForm ([`super::xlsform`]) and shaped as pyxform writes that XLSForm:
//! `itext` translations (Indonesian by default, English), the primary instance with the groups
//! nested and `meta/instanceID`, one `bind` per field, `${name}` references as absolute paths,
//! a `setvalue` on first load for a computed default, and the body's groups and controls.
//! `tests/xform_check.py` compares it with pyxform's conversion of the XLSForm, field by field.
//!
//! The coded lists (`jenis`, `asal`, ...) are secondary instances with translated labels, as
//! pyxform writes them. The long lists, the villages (`desa`) and a re-survey's earlier groups
//! (`kelompok_lama`), are CSV media files instead (`jr://file-csv/desa.csv`), which ODK Collect
//! downloads once with the form and keeps out of the form's XML.
//!
//! The output depends on its input only (no clock, no hash order): the server publishes the
//! MD5 of these bytes, and a form whose bytes change is a new form to every phone.

use super::xlsform::{
    self, Choice, Form, INSTANCE_NAME, LANG_EN, LANG_ID, PreviousGroup, Question, XlsFormError,
};
use std::collections::HashMap;
use wahana_domain::region::{RegionCode, RegionTree};
use wahana_domain::xml::Xml;

/// An XForm and the media files it needs, ready to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XForm {
    /// The form id (`wahana_kelompok`, or `wahana_kelompok_ulang` for a re-survey).
    pub form_id: String,
    /// The same version the XLSForm's settings sheet carries ([`xlsform::form_version`]).
    pub version: String,
    pub title: String,
    /// The XForm document (UTF-8).
    pub xml: String,
    /// The files the form refers to as `jr://file-csv/NAME`.
    pub media: Vec<MediaFile>,
}

/// A media file of a form (a CSV list of choices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    /// The file name the form refers to, e.g. `desa.csv`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The lists written as CSV media instead of inside the form, with the filter columns each
/// file carries after `name` and `label`. A CSV has one label column, so the choices of these
/// lists are labelled alike in both languages (region names and group names are).
const CSV_LISTS: &[(&str, &[&str])] = &[("desa", &["kab", "kec"]), ("kelompok_lama", &["desa"])];

/// The root element of the primary instance, as pyxform names it.
const ROOT: &str = "/data";

/// The XForm for villages under `region` (a province, regency, district or one village): the
/// XForm counterpart of [`xlsform::write_xlsform`], with the same form id and version.
pub fn xform(
    region: &RegionCode,
    tree: &RegionTree,
    today_year: i32,
) -> Result<XForm, XlsFormError> {
    write(&xlsform::form(region, tree, today_year, None)?)
}

/// The re-survey's XForm (form id [`xlsform::RESURVEY_FORM_ID`]): the XForm counterpart of
/// [`xlsform::write_resurvey_xlsform`], its list of earlier groups in `kelompok_lama.csv`.
pub fn resurvey_xform(
    region: &RegionCode,
    tree: &RegionTree,
    today_year: i32,
    previous: &[PreviousGroup],
) -> Result<XForm, XlsFormError> {
    write(&xlsform::form(region, tree, today_year, Some(previous))?)
}

/// What a row of the survey sheet becomes in the XForm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind<'a> {
    Group,
    /// `start` or `end`: a timestamp taken when the form is opened or finished.
    Timestamp(&'static str),
    DeviceId,
    /// A read-only text shown to the enumerator.
    Note,
    /// An input control with its bind type.
    Input(&'static str),
    Calculate,
    Select {
        multiple: bool,
        list: &'a str,
    },
}

impl<'a> Kind<'a> {
    fn of(q: &'a Question) -> Result<Kind<'a>, XlsFormError> {
        let t = q.kind.as_str();
        if let Some(list) = t.strip_prefix("select_one ") {
            return Ok(Kind::Select {
                multiple: false,
                list: list.trim(),
            });
        }
        if let Some(list) = t.strip_prefix("select_multiple ") {
            return Ok(Kind::Select {
                multiple: true,
                list: list.trim(),
            });
        }
        Ok(match t {
            "begin_group" => Kind::Group,
            "start" => Kind::Timestamp("start"),
            "end" => Kind::Timestamp("end"),
            "deviceid" => Kind::DeviceId,
            "note" => Kind::Note,
            "text" => Kind::Input("string"),
            "integer" => Kind::Input("int"),
            "decimal" => Kind::Input("decimal"),
            "date" => Kind::Input("date"),
            "geopoint" => Kind::Input("geopoint"),
            "calculate" => Kind::Calculate,
            other => return Err(XlsFormError::UnsupportedType(other.to_string())),
        })
    }
}

/// A question or group placed in the form's tree, with its absolute path.
struct Node<'a> {
    q: &'a Question,
    kind: Kind<'a>,
    path: String,
    children: Vec<Node<'a>>,
}

/// The survey's rows under `parent` as a tree, up to the `end_group` that closes it (or the
/// end of the form): `begin_group` opens a node whose children are the rows up to its end.
fn tree<'a>(
    rows: &mut std::slice::Iter<'a, Question>,
    parent: &str,
) -> Result<Vec<Node<'a>>, XlsFormError> {
    let mut nodes = Vec::new();
    while let Some(q) = rows.next() {
        if q.kind == "end_group" {
            break;
        }
        let kind = Kind::of(q)?;
        let path = format!("{parent}/{}", q.name);
        let children = if kind == Kind::Group {
            tree(rows, &path)?
        } else {
            Vec::new()
        };
        nodes.push(Node {
            q,
            kind,
            path,
            children,
        });
    }
    Ok(nodes)
}

/// Every node, parents before children, in the survey's order.
fn walk<'n, 'a>(nodes: &'n [Node<'a>], out: &mut Vec<&'n Node<'a>>) {
    for n in nodes {
        out.push(n);
        walk(&n.children, out);
    }
}

/// An XLSForm expression with each `${name}` replaced by the question's absolute path, padded
/// with a space on each side as pyxform writes it (`count-selected( /data/dana/sumber_dana )`).
fn xpath(expression: &str, paths: &HashMap<&str, &str>) -> Result<String, XlsFormError> {
    let mut out = String::with_capacity(expression.len() + 32);
    let mut rest = expression;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + 2 + len];
        let path = paths
            .get(name)
            .ok_or_else(|| XlsFormError::UnknownReference {
                expression: expression.to_string(),
                name: name.to_string(),
            })?;
        out.push_str(&rest[..start]);
        out.push(' ');
        out.push_str(path);
        out.push(' ');
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A default that must be computed (a function call, a reference, a predicate, arithmetic)
/// rather than written into the instance: pyxform's `default_is_dynamic`, for the defaults a
/// form of wahana has (`today()`, a village code, a status code).
fn is_dynamic(default: &str, bind_type: &str) -> bool {
    let minus_is_text = matches!(bind_type, "date" | "dateTime" | "geopoint");
    default.contains("${")
        || default.contains(['(', ')', '[', ']', '{', '}', '+', '*', '|'])
        || (!minus_is_text && default.contains('-'))
        || default.split_whitespace().any(|w| w == "div" || w == "mod")
}

/// A writer of XML elements, every text and attribute value escaped by [`Xml`].
struct Out(String);

impl Out {
    fn start(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attrs {
            self.0.push(' ');
            self.0.push_str(name);
            self.0.push_str("=\"");
            self.0.push_str(&Xml(value).to_string());
            self.0.push('"');
        }
    }

    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.0.push('>');
    }

    fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.0.push_str("/>");
    }

    fn close(&mut self, tag: &str) {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
    }

    /// `<tag>text</tag>`, or `<tag/>` when the text is empty.
    fn leaf(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        if text.is_empty() {
            self.empty(tag, attrs);
        } else {
            self.open(tag, attrs);
            self.0.push_str(&Xml(text).to_string());
            self.close(tag);
        }
    }
}

/// The itext reference of one of a node's texts (`label`, `hint`, `jr:constraintMsg`, ...).
fn itext(path: &str, form: &str) -> String {
    format!("jr:itext('{path}:{form}')")
}

fn is_csv_list(list: &str) -> bool {
    CSV_LISTS.iter().any(|(name, _)| *name == list)
}

fn write(form: &Form) -> Result<XForm, XlsFormError> {
    let top = tree(&mut form.questions.iter(), ROOT)?;
    let mut nodes = Vec::new();
    walk(&top, &mut nodes);
    let paths: HashMap<&str, &str> = nodes.iter().map(|n| (n.q.name, n.path.as_str())).collect();

    // The lists in the order the choices sheet first names them, each with its choices.
    let mut lists: Vec<(&str, Vec<&Choice>)> = Vec::new();
    for c in &form.choices {
        match lists.iter_mut().find(|(name, _)| *name == c.list) {
            Some((_, choices)) => choices.push(c),
            None => lists.push((c.list, vec![c])),
        }
    }
    let static_lists: Vec<&(&str, Vec<&Choice>)> = lists
        .iter()
        .filter(|(name, _)| !is_csv_list(name))
        .collect();
    // The CSV lists, in the order the questions use them.
    let mut csv_lists: Vec<&str> = Vec::new();
    for n in &nodes {
        if let Kind::Select { list, .. } = n.kind
            && is_csv_list(list)
            && !csv_lists.contains(&list)
        {
            csv_lists.push(list);
        }
    }

    let mut out = Out(String::with_capacity(64 * 1024));
    out.0.push_str("<?xml version=\"1.0\"?>");
    out.open(
        "h:html",
        &[
            ("xmlns", "http://www.w3.org/2002/xforms"),
            ("xmlns:h", "http://www.w3.org/1999/xhtml"),
            ("xmlns:ev", "http://www.w3.org/2001/xml-events"),
            ("xmlns:xsd", "http://www.w3.org/2001/XMLSchema"),
            ("xmlns:jr", "http://openrosa.org/javarosa"),
            ("xmlns:orx", "http://openrosa.org/xforms"),
            ("xmlns:odk", "http://www.opendatakit.org/xforms"),
        ],
    );
    out.open("h:head", &[]);
    out.leaf("h:title", &[], &form.title);
    out.open("model", &[("odk:xforms-version", "1.0.0")]);

    // Translations: the coded lists' labels, then each question's messages, label and hint.
    out.open("itext", &[]);
    for english in [false, true] {
        let pick =
            |text: &(String, String)| -> String { if english { &text.1 } else { &text.0 }.clone() };
        if english {
            out.open("translation", &[("lang", LANG_EN)]);
        } else {
            out.open("translation", &[("lang", LANG_ID), ("default", "true()")]);
        }
        for (list, choices) in &static_lists {
            for (i, c) in choices.iter().enumerate() {
                let id = format!("{list}-{i}");
                out.open("text", &[("id", &id)]);
                out.leaf("value", &[], &pick(&c.label));
                out.close("text");
            }
        }
        let required = (
            xlsform::REQUIRED_MESSAGE.0.to_string(),
            xlsform::REQUIRED_MESSAGE.1.to_string(),
        );
        for n in &nodes {
            let q = n.q;
            let mut texts: Vec<(&str, &(String, String))> = Vec::new();
            if !q.constraint.is_empty() && !q.constraint_message.0.is_empty() {
                texts.push(("jr:constraintMsg", &q.constraint_message));
            }
            if q.required {
                texts.push(("jr:requiredMsg", &required));
            }
            texts.push(("label", &q.label));
            texts.push(("hint", &q.hint));
            for (form, text) in texts {
                if text.0.is_empty() && text.1.is_empty() {
                    continue;
                }
                let id = format!("{}:{form}", n.path);
                out.open("text", &[("id", &id)]);
                out.leaf("value", &[], &pick(text));
                out.close("text");
            }
        }
        out.close("translation");
    }
    out.close("itext");

    // The primary instance: what a filled form holds.
    out.open("instance", &[]);
    out.open("data", &[("id", form.form_id), ("version", &form.version)]);
    instance(&mut out, &top);
    out.open("meta", &[]);
    out.empty("instanceID", &[]);
    out.empty("instanceName", &[]);
    out.close("meta");
    out.close("data");
    out.close("instance");

    // Secondary instances: the CSV files first, then the coded lists, as pyxform orders them.
    for list in &csv_lists {
        let src = format!("jr://file-csv/{list}.csv");
        out.empty("instance", &[("id", list), ("src", &src)]);
    }
    for (list, choices) in &static_lists {
        out.open("instance", &[("id", list)]);
        out.open("root", &[]);
        for (i, c) in choices.iter().enumerate() {
            out.open("item", &[]);
            out.leaf("itextId", &[], &format!("{list}-{i}"));
            out.leaf("name", &[], &c.name);
            for (column, value) in [("kab", &c.kab), ("kec", &c.kec), ("desa", &c.desa)] {
                if !value.is_empty() {
                    out.leaf(column, &[], value);
                }
            }
            out.close("item");
        }
        out.close("root");
        out.close("instance");
    }

    // Binds, each followed by the `setvalue` of a computed default.
    for n in &nodes {
        bind(&mut out, n, &paths)?;
    }
    out.empty(
        "bind",
        &[
            ("nodeset", "/data/meta/instanceID"),
            ("type", "string"),
            ("readonly", "true()"),
            ("jr:preload", "uid"),
        ],
    );
    out.empty(
        "bind",
        &[
            ("nodeset", "/data/meta/instanceName"),
            ("type", "string"),
            ("calculate", &xpath(INSTANCE_NAME, &paths)?),
        ],
    );
    out.close("model");
    out.close("h:head");

    out.open("h:body", &[]);
    body(&mut out, &top, &paths)?;
    out.close("h:body");
    out.close("h:html");

    let mut media = Vec::new();
    for list in csv_lists {
        let columns = CSV_LISTS
            .iter()
            .find(|(name, _)| *name == list)
            .map(|(_, columns)| *columns)
            .unwrap_or_default();
        let choices = lists
            .iter()
            .find(|(name, _)| *name == list)
            .map(|(_, choices)| choices.as_slice())
            .unwrap_or_default();
        media.push(MediaFile {
            name: format!("{list}.csv"),
            bytes: csv_media(columns, choices)?,
        });
    }

    Ok(XForm {
        form_id: form.form_id.to_string(),
        version: form.version.clone(),
        title: form.title.clone(),
        xml: out.0,
        media,
    })
}

/// The primary instance's elements for `nodes`: groups nested, a fixed default as the
/// element's text.
fn instance(out: &mut Out, nodes: &[Node<'_>]) {
    for n in nodes {
        if n.kind == Kind::Group {
            out.open(n.q.name, &[]);
            instance(out, &n.children);
            out.close(n.q.name);
            continue;
        }
        let bind_type = match n.kind {
            Kind::Input(t) => t,
            _ => "string",
        };
        let default = if is_dynamic(&n.q.default, bind_type) {
            ""
        } else {
            n.q.default.as_str()
        };
        out.leaf(n.q.name, &[], default);
    }
}

fn bind(out: &mut Out, n: &Node<'_>, paths: &HashMap<&str, &str>) -> Result<(), XlsFormError> {
    let q = n.q;
    let path = n.path.as_str();
    let mut attrs: Vec<(&str, String)> = vec![("nodeset", path.to_string())];
    let bind_type = match n.kind {
        Kind::Group => return Ok(()),
        Kind::Timestamp(which) => {
            attrs.push(("jr:preload", "timestamp".into()));
            attrs.push(("type", "dateTime".into()));
            attrs.push(("jr:preloadParams", which.into()));
            "dateTime"
        }
        Kind::DeviceId => {
            attrs.push(("jr:preload", "property".into()));
            attrs.push(("type", "string".into()));
            attrs.push(("jr:preloadParams", "deviceid".into()));
            "string"
        }
        Kind::Note => {
            attrs.push(("readonly", "true()".into()));
            attrs.push(("type", "string".into()));
            "string"
        }
        // A select's value is text: pyxform 2 and later bind selects as `string`.
        Kind::Input(t) => {
            attrs.push(("type", t.into()));
            t
        }
        Kind::Calculate | Kind::Select { .. } => {
            attrs.push(("type", "string".into()));
            "string"
        }
    };
    if q.required {
        attrs.push(("required", "true()".into()));
        attrs.push(("jr:requiredMsg", itext(path, "jr:requiredMsg")));
    }
    if !q.constraint.is_empty() {
        attrs.push(("constraint", xpath(&q.constraint, paths)?));
        if !q.constraint_message.0.is_empty() {
            attrs.push(("jr:constraintMsg", itext(path, "jr:constraintMsg")));
        }
    }
    if !q.relevant.is_empty() {
        attrs.push(("relevant", xpath(&q.relevant, paths)?));
    }
    if !q.calculation.is_empty() {
        attrs.push(("calculate", xpath(&q.calculation, paths)?));
    }
    let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    out.empty("bind", &attrs);
    if is_dynamic(&q.default, bind_type) {
        out.empty(
            "setvalue",
            &[
                ("ref", path),
                ("event", "odk-instance-first-load"),
                ("value", &xpath(&q.default, paths)?),
            ],
        );
    }
    Ok(())
}

/// The label and hint of a control or group, as itext references.
fn label_and_hint(out: &mut Out, n: &Node<'_>) {
    if !n.q.label.0.is_empty() || !n.q.label.1.is_empty() {
        out.empty("label", &[("ref", &itext(&n.path, "label"))]);
    }
    if !n.q.hint.0.is_empty() || !n.q.hint.1.is_empty() {
        out.empty("hint", &[("ref", &itext(&n.path, "hint"))]);
    }
}

fn body(
    out: &mut Out,
    nodes: &[Node<'_>],
    paths: &HashMap<&str, &str>,
) -> Result<(), XlsFormError> {
    for n in nodes {
        let mut attrs: Vec<(&str, &str)> = Vec::new();
        if !n.q.appearance.is_empty() {
            attrs.push(("appearance", n.q.appearance));
        }
        attrs.push(("ref", &n.path));
        match n.kind {
            Kind::Timestamp(_) | Kind::DeviceId | Kind::Calculate => {}
            Kind::Group => {
                out.open("group", &attrs);
                label_and_hint(out, n);
                body(out, &n.children, paths)?;
                out.close("group");
            }
            Kind::Note | Kind::Input(_) => {
                out.open("input", &attrs);
                label_and_hint(out, n);
                out.close("input");
            }
            Kind::Select { multiple, list } => {
                let tag = if multiple { "select" } else { "select1" };
                out.open(tag, &attrs);
                label_and_hint(out, n);
                let mut nodeset = format!("instance('{list}')/root/item");
                if !n.q.choice_filter.is_empty() {
                    nodeset.push('[');
                    nodeset.push_str(&xpath(&n.q.choice_filter, paths)?);
                    nodeset.push(']');
                }
                out.open("itemset", &[("nodeset", &nodeset)]);
                out.empty("value", &[("ref", "name")]);
                if is_csv_list(list) {
                    out.empty("label", &[("ref", "label")]);
                } else {
                    out.empty("label", &[("ref", "jr:itext(itextId)")]);
                }
                out.close("itemset");
                out.close(tag);
            }
        }
    }
    Ok(())
}

/// A CSV list: `name,label` and the filter columns, one row per choice, UTF-8, quoted where
/// a value needs it (region names hold commas and apostrophes).
fn csv_media(columns: &[&str], choices: &[&Choice]) -> Result<Vec<u8>, XlsFormError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["name", "label"];
    header.extend_from_slice(columns);
    w.write_record(&header)?;
    for c in choices {
        let mut row = vec![c.name.as_str(), c.label.0.as_str()];
        for column in columns {
            row.push(match *column {
                "kab" => c.kab.as_str(),
                "kec" => c.kec.as_str(),
                "desa" => c.desa.as_str(),
                _ => "",
            });
        }
        w.write_record(&row)?;
    }
    w.into_inner()
        .map_err(|e| XlsFormError::Media(csv::Error::from(e.into_error())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, open_workbook_auto};
    use std::collections::HashSet;
    use std::path::Path;

    const XF: &str = "http://www.w3.org/2002/xforms";

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    /// A sheet of a written XLSForm, as (header → cell) rows.
    fn sheet(path: &Path, name: &str) -> Vec<HashMap<String, String>> {
        let mut wb = open_workbook_auto(path).unwrap();
        let range = wb.worksheet_range(name).unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|d| d.to_string()).collect();
        rows.map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.iter().map(|d| match d {
                    Data::Empty => String::new(),
                    d => d.to_string(),
                }))
                .collect()
        })
        .collect()
    }

    fn previous() -> Vec<PreviousGroup> {
        vec![
            PreviousGroup {
                id: "K-1".into(),
                name: "Arisan \"Bunga\", Ta'a & <Mawar>".into(),
                village: code("73.08.21.1003"),
            },
            PreviousGroup {
                id: "K-2".into(),
                name: "Rukun Kematian Jeppe'e".into(),
                village: code("73.08.21.1001"),
            },
        ]
    }

    /// The XLSForm and the XForm of one region (with `previous`: the re-survey's), both
    /// written for real: the XLSForm to a file, read back with calamine.
    fn both(
        dir: &Path,
        region: &str,
        previous: Option<&[PreviousGroup]>,
    ) -> (Vec<HashMap<String, String>>, HashMap<String, String>, XForm) {
        let tree = RegionTree::official();
        let path = dir.join(format!("{region}-{}.xlsx", previous.is_some()));
        let form = match previous {
            Some(p) => {
                xlsform::write_resurvey_xlsform(&path, &code(region), tree, 2026, p).unwrap();
                resurvey_xform(&code(region), tree, 2026, p).unwrap()
            }
            None => {
                xlsform::write_xlsform(&path, &code(region), tree, 2026).unwrap();
                xform(&code(region), tree, 2026).unwrap()
            }
        };
        let settings = sheet(&path, "settings").remove(0);
        (sheet(&path, "survey"), settings, form)
    }

    fn is_xf<'a>(n: &roxmltree::Node<'a, 'a>, tag: &str) -> bool {
        n.is_element() && n.tag_name().name() == tag && n.tag_name().namespace() == Some(XF)
    }

    /// The itext texts of one language: id → value.
    fn itext(doc: &roxmltree::Document<'_>, lang: &str) -> HashMap<String, String> {
        let translation = doc
            .descendants()
            .find(|n| is_xf(n, "translation") && n.attribute("lang") == Some(lang))
            .unwrap_or_else(|| panic!("no {lang} translation"));
        translation
            .children()
            .filter(|n| is_xf(n, "text"))
            .map(|t| {
                let value = t.children().find(|v| is_xf(v, "value")).unwrap();
                (
                    t.attribute("id").unwrap().to_string(),
                    value.text().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// The id inside `jr:itext('…')`.
    fn itext_id(reference: &str) -> &str {
        reference
            .strip_prefix("jr:itext('")
            .and_then(|r| r.strip_suffix("')"))
            .unwrap_or_else(|| panic!("not an itext reference: {reference}"))
    }

    /// Every row of the XLSForm's survey has its bind and its control in the XForm, at the
    /// path its groups give it; labels and hints resolve to the sheet's texts in both
    /// languages; the form id, version and title are the settings sheet's.
    #[test]
    fn every_survey_field_has_a_bind_and_a_control() {
        let dir = tempfile::tempdir().unwrap();
        let previous = previous();
        for (region, previous) in [
            ("73.08.21", None),
            ("73.08", None),
            ("73", None),
            ("73.08.21.1003", None),
            ("73.08.21", Some(previous.as_slice())),
        ] {
            let (survey, settings, form) = both(dir.path(), region, previous);
            let doc = roxmltree::Document::parse(&form.xml)
                .unwrap_or_else(|e| panic!("{region}: the XForm does not parse: {e}"));
            assert_eq!(form.form_id, settings["form_id"]);
            assert_eq!(form.version, settings["version"]);
            assert_eq!(form.title, settings["form_title"]);
            let data = doc
                .descendants()
                .find(|n| is_xf(n, "data"))
                .expect("primary instance");
            assert_eq!(data.attribute("id"), Some(form.form_id.as_str()));
            assert_eq!(data.attribute("version"), Some(form.version.as_str()));
            let title = doc
                .descendants()
                .find(|n| n.tag_name().name() == "title")
                .unwrap();
            assert_eq!(title.text(), Some(form.title.as_str()));

            let binds: HashMap<&str, roxmltree::Node<'_, '_>> = doc
                .descendants()
                .filter(|n| is_xf(n, "bind"))
                .map(|b| (b.attribute("nodeset").unwrap(), b))
                .collect();
            let controls: HashMap<&str, roxmltree::Node<'_, '_>> = doc
                .descendants()
                .filter(|n| {
                    n.is_element()
                        && matches!(
                            n.tag_name().name(),
                            "group" | "input" | "select1" | "select"
                        )
                        && n.attribute("ref").is_some()
                })
                .map(|c| (c.attribute("ref").unwrap(), c))
                .collect();
            let (id_texts, en_texts) = (itext(&doc, LANG_ID), itext(&doc, LANG_EN));
            let instance_paths: HashSet<String> = {
                let mut paths = HashSet::new();
                let mut stack = vec![(data, ROOT.to_string())];
                while let Some((node, path)) = stack.pop() {
                    for child in node.children().filter(|c| c.is_element()) {
                        let p = format!("{path}/{}", child.tag_name().name());
                        stack.push((child, p.clone()));
                        paths.insert(p);
                    }
                }
                paths
            };

            let mut groups: Vec<&str> = Vec::new();
            let mut fields = 0;
            for row in &survey {
                let (t, name) = (row["type"].as_str(), row["name"].as_str());
                if t == "end_group" {
                    groups.pop();
                    continue;
                }
                let path = std::iter::once("/data")
                    .chain(groups.iter().copied())
                    .chain([name])
                    .collect::<Vec<_>>()
                    .join("/");
                assert!(
                    instance_paths.contains(&path),
                    "{region}: {path} not in the instance"
                );
                if t == "begin_group" {
                    groups.push(name);
                    let group = controls.get(path.as_str()).expect("group in the body");
                    assert_eq!(group.tag_name().name(), "group");
                    assert_eq!(group.attribute("appearance"), Some("field-list"));
                    continue;
                }
                fields += 1;
                let bind = binds
                    .get(path.as_str())
                    .unwrap_or_else(|| panic!("{region}: no bind for {path}"));
                assert_eq!(
                    bind.attribute("required") == Some("true()"),
                    row["required"] == "yes",
                    "{region}: {path} required"
                );
                assert_eq!(
                    bind.attribute("constraint").is_some(),
                    !row["constraint"].is_empty(),
                    "{region}: {path} constraint"
                );
                let shown = !matches!(t, "start" | "end" | "deviceid" | "calculate");
                let Some(control) = controls.get(path.as_str()) else {
                    assert!(!shown, "{region}: no control for {path} ({t})");
                    continue;
                };
                assert!(
                    shown,
                    "{region}: {path} ({t}) is not shown in pyxform's form"
                );
                let want_tag = if t.starts_with("select_one ") {
                    "select1"
                } else if t.starts_with("select_multiple ") {
                    "select"
                } else {
                    "input"
                };
                assert_eq!(control.tag_name().name(), want_tag, "{region}: {path}");
                for (part, column) in [("label", "label"), ("hint", "hint")] {
                    let node = control.children().find(|c| is_xf(c, part));
                    let want_id = &row[&format!("{column}::{LANG_ID}")];
                    let want_en = &row[&format!("{column}::{LANG_EN}")];
                    match node {
                        None => assert!(want_id.is_empty(), "{region}: {path} lacks its {part}"),
                        Some(node) => {
                            let id = itext_id(node.attribute("ref").unwrap());
                            assert_eq!(&id_texts[id], want_id, "{region}: {path} {part}");
                            assert_eq!(&en_texts[id], want_en, "{region}: {path} {part}");
                        }
                    }
                }
                if let Some(list) = t.split_once(' ').map(|(_, l)| l) {
                    let itemset = control.children().find(|c| is_xf(c, "itemset")).unwrap();
                    let nodeset = itemset.attribute("nodeset").unwrap();
                    assert!(
                        nodeset.starts_with(&format!("instance('{list}')/root/item")),
                        "{region}: {path}: {nodeset}"
                    );
                    assert_eq!(
                        nodeset.contains('['),
                        !row["choice_filter"].is_empty(),
                        "{region}: {path}: {nodeset}"
                    );
                    let instance = doc
                        .descendants()
                        .find(|n| is_xf(n, "instance") && n.attribute("id") == Some(list))
                        .unwrap_or_else(|| panic!("{region}: no instance {list}"));
                    if let Some(src) = instance.attribute("src") {
                        let file = src.strip_prefix("jr://file-csv/").unwrap();
                        assert!(
                            form.media.iter().any(|m| m.name == file),
                            "{region}: {file}"
                        );
                    }
                }
            }
            assert!(fields >= 30, "{region}: {fields} fields");
            for meta in ["/data/meta/instanceID", "/data/meta/instanceName"] {
                assert!(binds.contains_key(meta), "{region}: {meta}");
            }
            // Every itext reference anywhere resolves in both languages.
            for node in doc.descendants().filter(|n| n.is_element()) {
                for a in node.attributes() {
                    let mut rest = a.value();
                    while let Some(i) = rest.find("jr:itext('") {
                        let tail = &rest[i + "jr:itext('".len()..];
                        let end = tail.find("')").unwrap();
                        let id = &tail[..end];
                        assert!(
                            id_texts.contains_key(id) && en_texts.contains_key(id),
                            "{region}: {id} is not translated"
                        );
                        rest = &tail[end..];
                    }
                }
            }
        }
    }

    fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
        let mut r = csv::Reader::from_reader(bytes);
        let header = r.headers().unwrap().iter().map(String::from).collect();
        let rows = r
            .records()
            .map(|row| row.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    }

    /// `desa.csv` holds exactly the region's villages (names with commas and apostrophes
    /// come back whole), and `kelompok_lama.csv` the earlier groups after "a new group".
    #[test]
    fn csv_media_hold_exactly_the_regions_villages_and_earlier_groups() {
        let tree = RegionTree::official();
        // 12.07.28 holds "Lubuk Pakam I,II"; 73.08.21 "Ta" and its neighbours.
        for region in ["73.08.21", "73.08", "12.07.28", "73.08.21.1003"] {
            let form = xform(&code(region), tree, 2026).unwrap();
            let names: Vec<&str> = form.media.iter().map(|m| m.name.as_str()).collect();
            assert_eq!(names, ["desa.csv"], "{region}");
            let (header, rows) = read_csv(&form.media[0].bytes);
            assert_eq!(header, ["name", "label", "kab", "kec"]);
            let want: Vec<Vec<String>> = tree
                .villages_under(&code(region))
                .map(|v| {
                    let ancestors = v.code.ancestors();
                    vec![
                        v.code.to_string(),
                        v.name.clone(),
                        ancestors[1].to_string(),
                        ancestors[2].to_string(),
                    ]
                })
                .collect();
            assert!(!want.is_empty());
            assert_eq!(rows, want, "{region}");
        }
        let lubuk = xform(&code("12.07.28"), tree, 2026).unwrap();
        let text = String::from_utf8(lubuk.media[0].bytes.clone()).unwrap();
        assert!(text.contains("\"Lubuk Pakam I,II\""), "{text}");

        let previous = previous();
        let form = resurvey_xform(&code("73.08.21"), tree, 2026, &previous).unwrap();
        let names: Vec<&str> = form.media.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["desa.csv", "kelompok_lama.csv"]);
        let (header, rows) = read_csv(&form.media[1].bytes);
        assert_eq!(header, ["name", "label", "desa"]);
        assert_eq!(rows.len(), previous.len() + 1);
        assert_eq!(rows[0][0], xlsform::NEW_GROUP_CHOICE);
        assert_eq!(rows[0][2], "");
        for (row, g) in rows[1..].iter().zip(&previous) {
            assert_eq!(
                row,
                &[
                    g.id.clone(),
                    format!("{} ({})", g.name, g.id),
                    g.village.to_string()
                ]
            );
        }
        assert!(
            !form.xml.contains("Mawar"),
            "the groups stay out of the XML"
        );
    }

    /// Markup characters in region names are escaped: the form parses and reads back the
    /// names as they are.
    #[test]
    fn markup_in_names_is_escaped() {
        let tree = RegionTree::from_csv(
            "code,parent_code,name,lat,lng,kind\n73,,Sulawesi Selatan,,,provinsi\n",
            "code,parent_code,name,lat,lng,kind\n73.08,73,Kabupaten Bone,,,kabupaten\n",
            "code,parent_code,name,lat,lng,kind\n73.08.21,73.08,Tanete & <Riattang>,,,kecamatan\n",
            "code,parent_code,name,lat,lng,kind\n\
             73.08.21.1001,73.08.21,\"Ta'a & \"\"<Biru>\"\", Atas\",,,kelurahan\n\
             73.08.21.2001,73.08.21,Bukaka]]>,,,desa\n",
        )
        .unwrap();
        let district = xform(&code("73.08.21"), &tree, 2026).unwrap();
        let doc = roxmltree::Document::parse(&district.xml).unwrap();
        let title = doc
            .descendants()
            .find(|n| n.tag_name().name() == "title")
            .unwrap();
        assert_eq!(
            title.text(),
            Some("Identifikasi kelompok WKSBM: Tanete & <Riattang>")
        );
        assert!(itext(&doc, LANG_ID)["/data/intro_note:label"].contains("di Tanete & <Riattang>."));
        assert!(district.xml.contains("Tanete &amp; &lt;Riattang&gt;"));
        let (_, rows) = read_csv(&district.media[0].bytes);
        assert_eq!(rows[0][1], "Ta'a & \"<Biru>\", Atas");
        assert_eq!(rows[1][1], "Bukaka]]>");

        // A village's form: its code is the village question's default, in the instance.
        let village = xform(&code("73.08.21.1001"), &tree, 2026).unwrap();
        let doc = roxmltree::Document::parse(&village.xml).unwrap();
        let default = doc
            .descendants()
            .find(|n| n.tag_name().name() == "kode_wilayah")
            .unwrap();
        assert_eq!(default.text(), Some("73.08.21.1001"));
        assert!(village.title.ends_with("Ta'a & \"<Biru>\", Atas"));
    }

    /// Same input, same bytes (the server publishes their MD5); the version is the
    /// XLSForm's.
    #[test]
    fn the_same_form_is_the_same_bytes() {
        let tree = RegionTree::official();
        let previous = previous();
        let a = resurvey_xform(&code("73.08"), tree, 2026, &previous).unwrap();
        let b = resurvey_xform(&code("73.08"), tree, 2026, &previous).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.version, xlsform::form_version(&code("73.08"), 2026));
        assert_eq!(a.form_id, xlsform::RESURVEY_FORM_ID);
        let c = xform(&code("73.08"), tree, 2027).unwrap();
        assert_eq!(c.form_id, xlsform::FORM_ID);
        assert_ne!(c.version, a.version, "a new year is a new version");
    }

    /// A list written as CSV has one label column: its choices must read the same in both
    /// languages, or the English form would lose its labels.
    #[test]
    fn csv_lists_are_labelled_alike_in_both_languages() {
        let previous = previous();
        for region in ["73", "73.08.21"] {
            let form = xlsform::form(&code(region), RegionTree::official(), 2026, Some(&previous))
                .unwrap();
            let mut seen = HashSet::new();
            for c in form.choices.iter().filter(|c| is_csv_list(c.list)) {
                seen.insert(c.list);
                assert_eq!(c.label.0, c.label.1, "{}: {}", c.list, c.name);
            }
            assert_eq!(seen.len(), CSV_LISTS.len());
        }
    }

    #[test]
    fn references_become_paths_and_unknown_ones_are_errors() {
        let paths: HashMap<&str, &str> = [("a", "/data/g/a"), ("b", "/data/b")].into();
        for (expr, want) in [
            ("${a} > 0", " /data/g/a  > 0"),
            (
                "if(${a} = 'x', '', ${b})",
                "if( /data/g/a  = 'x', '',  /data/b )",
            ),
            ("kec=${b}", "kec= /data/b "),
            ("regex(., '^[0-9]{7,13}$')", "regex(., '^[0-9]{7,13}$')"),
            ("today()", "today()"),
        ] {
            assert_eq!(xpath(expr, &paths).unwrap(), want, "{expr}");
        }
        let err = xpath("${c} > 0", &paths).unwrap_err();
        assert!(err.to_string().contains("${c}"), "{err}");
    }

    #[test]
    fn computed_defaults_are_told_from_fixed_ones() {
        for (default, bind_type, dynamic) in [
            ("today()", "date", true),
            ("${a} + 1", "int", true),
            ("73.08.21.1003", "string", false),
            ("aktif", "string", false),
            ("2026-08-14", "date", false),
            ("5 - 1", "int", true),
            ("", "string", false),
        ] {
            assert_eq!(is_dynamic(default, bind_type), dynamic, "{default}");
        }
    }

    #[test]
    fn an_unknown_question_type_is_an_error() {
        let questions = [Question {
            kind: "audio".into(),
            name: "suara",
            ..Question::default()
        }];
        let err = tree(&mut questions.iter(), ROOT).err().unwrap();
        assert!(matches!(err, XlsFormError::UnsupportedType(ref t) if t == "audio"));
    }
}
