#!/usr/bin/env bash
# Converts wahana's XLSForm with pyxform and fails on any error or warning.
#
# Writes the form for a district, a regency, a province and a village of Sulawesi Selatan with
# `wahana instrument xlsform`, and a re-survey's form with `wahana waves carry-forward`, then
# converts each with `xls2xform`; where Java is installed,
# ODK Validate (bundled with pyxform) runs too.
# Needs: pip install pyxform, and a built wahana. Usage: tests/xlsform_check.sh WAHANA [out-dir]
set -euo pipefail
wahana="${1:?usage: tests/xlsform_check.sh path/to/wahana [out-dir]}"
out="${2:-$(mktemp -d)}"
mkdir -p "$out"

validate=(--skip_validate)
if command -v java >/dev/null 2>&1; then
    validate=(--odk_validate)
fi

status=0
for region in 73.08.21 73.08 73 73.08.21.1003; do
    form="$out/wahana_kelompok_$region.xlsx"
    "$wahana" --database "$out/form.db" instrument xlsform --region "$region" --out "$form"
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

# The re-survey form (`wahana waves carry-forward`): each village's earlier groups to pick from.
"$wahana" --database "$out/resurvey.db" demo >/dev/null
"$wahana" --database "$out/resurvey.db" waves add --id ulang --name "Pemutakhiran uji" \
    --start 2026-08-01 --end 2026-08-31 >/dev/null
"$wahana" --database "$out/resurvey.db" waves carry-forward --from demo-2007-sintetis --to ulang \
    --region 73.08.21 --out "$out/ulang" >/dev/null
form="$out/ulang/formulir-ulang-730821.xlsx"
result="$(xls2xform --json "${validate[@]}" "$form" "${form%.xlsx}.xml" 2>&1)"
echo "$(basename "$form"): $result"
if ! python3 -c '
import json, sys
r = json.loads(sys.argv[1])
sys.exit(0 if r.get("code") == 100 and not r.get("warnings") else 1)
' "$result"; then
    status=1
fi
exit $status
