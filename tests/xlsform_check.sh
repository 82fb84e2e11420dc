#!/usr/bin/env bash
# Converts wahana's XLSForm with pyxform and fails on any error or warning.
#
# Writes the form for a district, a regency, a province and a village of Sulawesi Selatan (the
# ignored test `xlsform_for_pyxform`, which also runs the structural self-check), then converts
# each with `xls2xform`; where Java is installed, ODK Validate (bundled with pyxform) runs too.
# Needs: pip install pyxform. Usage: tests/xlsform_check.sh [output-dir]
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
WAHANA_XLSFORM_DIR="$out" cargo test --quiet -p wahana --bin wahana xlsform_for_pyxform \
    -- --ignored --exact instrument::xlsform::tests::xlsform_for_pyxform

validate=(--skip_validate)
if command -v java >/dev/null 2>&1; then
    validate=(--odk_validate)
fi

status=0
shopt -s nullglob
forms=("$out"/*.xlsx)
if [ ${#forms[@]} -eq 0 ]; then
    echo "no form was written to $out" >&2
    exit 1
fi
for form in "${forms[@]}"; do
    result="$(xls2xform --json "${validate[@]}" "$form" "${form%.xlsx}.xml" 2>&1)"
    echo "$(basename "$form"): $result"
    if ! python3 -c '
import json, sys
r = json.loads(sys.argv[1])
sys.exit(0 if r.get("code") == 100 and not r.get("warnings") else 1)
' "$result"; then
        status=1
    fi
done
exit $status
