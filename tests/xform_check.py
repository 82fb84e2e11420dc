#!/usr/bin/env python3
"""The XForm wahana serves to ODK Collect equals pyxform's conversion of wahana's XLSForm.

For a district (73.08.21), a regency (73.08), a province (73), a village (73.08.21.1003) and a
re-survey's form (the demonstration wave's groups of 73.08.21), writes the XLSForm (`wahana instrument xlsform`, or `wahana waves
carry-forward` for the re-survey) and converts it with pyxform, writes wahana's own XForm and
media (`wahana instrument xform [--resurvey-wave]`), reads both with xml.etree and compares,
field by field:

- the form id, version, title and languages (and which is the default);
- the set of field paths of the primary instance;
- per field: its bind's type, required, constraint (whitespace-normalised), relevant,
  calculate, readonly and preload, its required and constraint messages and its default
  (in the instance, or a `setvalue` on first load);
- per control: its kind (input, select1, select, group), appearance, and its label and hint
  in both languages (itext resolved);
- per select: the choices (value, Indonesian label, English label and the filter columns), read
  from inline items, secondary instances or the CSV media the form refers to, and the choice
  filter's predicate (whitespace-normalised).

Where Java is installed, ODK Validate (bundled with pyxform) also checks wahana's XForms.
Prints every difference and exits 1 on any.
Needs: pip install pyxform, and a built wahana. Usage: tests/xform_check.py WAHANA WORK_DIR
"""

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from pyxform.validators import odk_validate
from pyxform.xls2xform import convert

XF = "http://www.w3.org/2002/xforms"
H = "http://www.w3.org/1999/xhtml"
JR = "http://openrosa.org/javarosa"
LANGS = ("Indonesian (id)", "English (en)")
CONTROLS = {"input", "select1", "select", "trigger", "upload", "range", "rank", "odk:rank"}


def q(tag, ns=XF):
    return f"{{{ns}}}{tag}"


def local(tag):
    return tag.split("}", 1)[-1]


def norm(expr):
    """An expression with runs of whitespace made one space, and trimmed."""
    return re.sub(r"\s+", " ", expr or "").strip()


class Form:
    """What a form says, read from its XForm (and the CSV media in `media_dir`)."""

    def __init__(self, xml_text, media_dir=None, name=""):
        self.name = name
        self.media_dir = Path(media_dir) if media_dir else None
        self.problems = []
        root = ET.fromstring(xml_text)
        head = root.find(q("head", H))
        self.title = head.findtext(q("title", H))
        model = head.find(q("model"))

        # itext: language -> text id -> value (an <output> kept as its normalised expression).
        self.itext = {}
        self.default_lang = None
        itext = model.find(q("itext"))
        for tr in itext.findall(q("translation")) if itext is not None else []:
            lang = tr.get("lang")
            if tr.get("default") == "true()":
                self.default_lang = lang
            texts = {}
            for t in tr.findall(q("text")):
                values = [v for v in t.findall(q("value")) if v.get("form") in (None, "long")]
                texts[t.get("id")] = "".join(value_text(v) for v in values[:1])
            self.itext[lang] = texts
        self.langs = list(self.itext)

        instances = model.findall(q("instance"))
        primary = instances[0]
        data = list(primary)[0]
        self.form_id = data.get("id")
        self.version = data.get("version")
        self.root = "/" + local(data.tag)
        self.fields = {}  # path -> static default text
        self._fields(data, self.root)
        self.instances = {i.get("id"): i for i in instances[1:]}

        self.binds = {}
        for b in model.findall(q("bind")):
            self.binds[b.get("nodeset")] = b
        self.setvalues = {}
        for s in model.iter(q("setvalue")):
            self.setvalues[s.get("ref")] = (s.get("event"), norm(s.get("value")))

        self.controls = {}  # path -> element
        self._controls(root.find(q("body", H)))

    def _fields(self, el, path):
        self.fields[path] = (el.text or "").strip() if len(el) == 0 else None
        for child in el:
            self._fields(child, f"{path}/{local(child.tag)}")

    def _controls(self, el):
        for child in el:
            tag = local(child.tag)
            if tag == "group" or tag == "repeat" or tag in CONTROLS:
                ref = child.get("ref") or child.get("nodeset")
                if ref:
                    self.controls[ref] = child
            if tag in ("group", "repeat"):
                self._controls(child)

    def text(self, ref_or_text, el=None):
        """A label, hint or message in each language: itext resolved, plain text as is."""
        if el is not None:
            ref = el.get("ref")
            if ref is None:
                plain = value_text(el)
                return tuple(plain for _ in LANGS)
            ref_or_text = ref
        m = re.fullmatch(r"\s*jr:itext\(\s*'([^']*)'\s*\)\s*", ref_or_text or "")
        if m:
            return tuple(self.itext.get(lang, {}).get(m.group(1)) for lang in LANGS)
        return tuple(ref_or_text for _ in LANGS)

    def choices(self, control):
        """(choices, predicate): each choice as (value, label id, label en, filter columns)."""
        itemset = control.find(q("itemset"))
        if itemset is None:
            items = []
            for item in control.findall(q("item")):
                label = self.text(None, item.find(q("label")))
                items.append((item.findtext(q("value")), *label, ()))
            return items, ""
        nodeset = itemset.get("nodeset")
        m = re.fullmatch(r"\s*instance\('([^']+)'\)/root/item(?:\[(.*)\])?\s*", nodeset, re.S)
        if not m:
            self.problems.append(f"{self.name}: itemset {nodeset!r} not understood")
            return [], ""
        list_name, predicate = m.group(1), norm(m.group(2))
        value_ref = itemset.find(q("value")).get("ref")
        label_ref = itemset.find(q("label")).get("ref")
        rows = self.list_rows(list_name)
        out = []
        for row in rows:
            lm = re.fullmatch(r"\s*jr:itext\(\s*(\w+)\s*\)\s*", label_ref)
            if lm:
                text_id = row.get(lm.group(1), "")
                label = tuple(self.itext.get(lang, {}).get(text_id) for lang in LANGS)
            else:
                label = tuple(row.get(label_ref) for _ in LANGS)
            extra = tuple(
                sorted(
                    (k, v)
                    for k, v in row.items()
                    if k not in (value_ref, "itextId", "label") and v not in ("", None)
                )
            )
            out.append((row.get(value_ref), *label, extra))
        return out, predicate

    def list_rows(self, list_name):
        """The items of a secondary instance: inline, or the CSV media file it refers to."""
        inst = self.instances.get(list_name)
        if inst is None:
            self.problems.append(f"{self.name}: no instance {list_name!r}")
            return []
        src = inst.get("src")
        if src:
            m = re.fullmatch(r"jr://file-csv/(.+)", src)
            if not m or self.media_dir is None:
                self.problems.append(f"{self.name}: instance {list_name!r} from {src!r}: no media")
                return []
            path = self.media_dir / m.group(1)
            if not path.exists():
                self.problems.append(f"{self.name}: media file {path.name} is missing")
                return []
            with open(path, newline="", encoding="utf-8") as f:
                return list(csv.DictReader(f))
        rows = []
        for item in inst.iter(q("item")):
            rows.append({local(c.tag): (c.text or "") for c in item})
        return rows


def value_text(el):
    """The text of an itext value or a label: text and <output value="..."/> in order."""
    parts = [el.text or ""]
    for child in el:
        if local(child.tag) == "output":
            parts.append(f"<output {norm(child.get('value'))}>")
        parts.append(child.tail or "")
    return "".join(parts)


def bind_facts(form, path):
    b = form.binds.get(path)
    if b is None:
        return None
    facts = {}
    for attr in ("type", "required", "readonly", "constraint", "relevant", "calculate"):
        v = b.get(attr)
        if v is not None:
            facts[attr] = norm(v)
    for attr in ("preload", "preloadParams"):
        v = b.get(f"{{{JR}}}{attr}")
        if v is not None:
            facts[f"jr:{attr}"] = v
    for attr in ("requiredMsg", "constraintMsg"):
        v = b.get(f"{{{JR}}}{attr}")
        if v is not None:
            facts[f"jr:{attr}"] = form.text(v)
    return facts


def control_facts(form, path):
    c = form.controls.get(path)
    if c is None:
        return None
    facts = {
        "control": local(c.tag),
        "appearance": c.get("appearance"),
        "label": form.text(None, c.find(q("label"))) if c.find(q("label")) is not None else None,
        "hint": form.text(None, c.find(q("hint"))) if c.find(q("hint")) is not None else None,
    }
    if local(c.tag) in ("select1", "select"):
        facts["choices"], facts["choice_filter"] = form.choices(c)
    return facts


def compare(want, got):
    """Differences between pyxform's form (`want`) and wahana's (`got`), as sentences."""
    diffs = list(want.problems) + list(got.problems)
    for what in ("form_id", "version", "title", "root", "default_lang"):
        a, b = getattr(want, what), getattr(got, what)
        if a != b:
            diffs.append(f"{what}: pyxform {a!r}, wahana {b!r}")
    if want.langs != got.langs:
        diffs.append(f"languages: pyxform {want.langs}, wahana {got.langs}")

    paths_a, paths_b = set(want.fields), set(got.fields)
    for p in sorted(paths_a - paths_b):
        diffs.append(f"{p}: a field in pyxform's form, not in wahana's")
    for p in sorted(paths_b - paths_a):
        diffs.append(f"{p}: a field in wahana's form, not in pyxform's")
    if [p for p in want.fields if p in paths_b] != [p for p in got.fields if p in paths_a]:
        diffs.append("the fields are in another order")

    for p in [p for p in want.fields if p in paths_b]:
        a, b = bind_facts(want, p), bind_facts(got, p)
        if a != b:
            for key in sorted(set(a or {}) | set(b or {})):
                va, vb = (a or {}).get(key), (b or {}).get(key)
                if va != vb:
                    diffs.append(f"{p}: bind {key}: pyxform {va!r}, wahana {vb!r}")
        if want.fields[p] != got.fields[p]:
            diffs.append(f"{p}: default in the instance: pyxform {want.fields[p]!r}, wahana {got.fields[p]!r}")
        if want.setvalues.get(p) != got.setvalues.get(p):
            diffs.append(f"{p}: setvalue: pyxform {want.setvalues.get(p)!r}, wahana {got.setvalues.get(p)!r}")

    controls = sorted(set(want.controls) | set(got.controls))
    for p in controls:
        a, b = control_facts(want, p), control_facts(got, p)
        if a is None or b is None:
            diffs.append(f"{p}: a control only in {'wahana' if a is None else 'pyxform'}'s form")
            continue
        for key in ("control", "appearance", "label", "hint", "choice_filter"):
            if a.get(key) != b.get(key):
                diffs.append(f"{p}: {key}: pyxform {a.get(key)!r}, wahana {b.get(key)!r}")
        ca, cb = a.get("choices"), b.get("choices")
        if ca != cb:
            ca, cb = ca or [], cb or []
            diffs.append(f"{p}: choices differ: pyxform {len(ca)}, wahana {len(cb)}")
            for x, y in zip(ca, cb):
                if x != y:
                    diffs.append(f"    first difference: pyxform {x!r}, wahana {y!r}")
                    break
    return diffs


def run(*args):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


def pyxform_form(xlsx, name):
    warnings = []
    result = convert(xlsform=str(xlsx), warnings=warnings, validate=False)
    if warnings:
        print(f"{name}: pyxform warnings: {warnings}")
    return Form(result.xform, name=f"{name} (pyxform)")


def wahana_form(xform_dir, form_id, name):
    xml_path = Path(xform_dir) / f"{form_id}.xml"
    return Form(xml_path.read_text(encoding="utf-8"), media_dir=xform_dir, name=f"{name} (wahana)")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: tests/xform_check.py path/to/wahana WORK_DIR")
    wahana, work = Path(sys.argv[1]), Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    db = work / "form.db"
    cases = []
    # A district and a regency, and also a province (two cascades) and one village (its code
    # the village question's default).
    for region in ("73.08.21", "73.08", "73", "73.08.21.1003"):
        xlsx = work / f"wahana_kelompok_{region}.xlsx"
        run(wahana, "--database", db, "instrument", "xlsform", "--region", region, "--out", xlsx)
        out = work / f"xform_{region}"
        run(wahana, "--database", db, "instrument", "xform", "--region", region, "--out", out)
        cases.append((region, xlsx, out, "wahana_kelompok"))

    # The re-survey: the demonstration wave's groups of 73.08.21, listed by both forms.
    rdb = work / "resurvey.db"
    run(wahana, "--database", rdb, "demo")
    run(wahana, "--database", rdb, "waves", "add", "--id", "ulang", "--name", "Pemutakhiran uji",
        "--start", "2026-08-01", "--end", "2026-08-31")
    run(wahana, "--database", rdb, "waves", "carry-forward", "--from", "demo-2007-sintetis",
        "--to", "ulang", "--region", "73.08.21", "--out", work / "ulang")
    out = work / "xform_ulang"
    run(wahana, "--database", rdb, "instrument", "xform", "--region", "73.08.21",
        "--resurvey-wave", "demo-2007-sintetis", "--out", out)
    cases.append(("re-survey 73.08.21", work / "ulang" / "formulir-ulang-730821.xlsx", out,
                  "wahana_kelompok_ulang"))

    status = 0
    for name, xlsx, out, form_id in cases:
        want = pyxform_form(xlsx, name)
        got = wahana_form(out, form_id, name)
        diffs = compare(want, got)
        selects = [p for p, c in got.controls.items() if local(c.tag) in ("select1", "select")]
        n_choices = sum(len(control_facts(got, p)["choices"]) for p in selects)
        if shutil.which("java"):
            try:
                odk_validate.check_xform(str(out / f"{form_id}.xml"))
            except odk_validate.ODKValidateError as e:
                diffs.append(f"ODK Validate refuses wahana's XForm: {e}")
        if diffs:
            status = 1
            print(f"{name}: {len(diffs)} difference(s) between pyxform's XForm and wahana's:")
            for d in diffs:
                print(f"  {d}")
        else:
            print(f"{name}: equal ({len(got.fields)} fields, {len(got.binds)} binds, "
                  f"{len(got.controls)} controls, {n_choices} choices offered across "
                  f"{len(selects)} selects)")
    sys.exit(status)


if __name__ == "__main__":
    main()
