#!/usr/bin/env bash
# Renames the core's index-file namespace NativeHnsw.Storage (src/NativeHnsw/Storage: header, writer, reader,
# validator, mapped storage) to NativeHnsw.IndexFiles, so that `using NativeHnsw.Storage` means one thing: the
# durable collections assembly. Safe to run again (after merging code written against the old name): it only
# rewrites what still says the old name.
#
#   bash tools/rename-index-files-namespace.sh        # from the repository root
#
# Only the core and the two assemblies its internals are visible to (NativeHnsw.Tests, NativeHnsw.Bench) can name
# the namespace: its types are all internal. In the core and its tests the old name can only mean the core's, so
# `namespace`/`using` lines and qualified names are rewritten outright. Bench sees both namespaces: there a file
# gets `using NativeHnsw.IndexFiles;` when it names one of the renamed types, and keeps `using NativeHnsw.Storage;`
# only when it also names a type of the collections assembly.
set -euo pipefail
cd "$(dirname "$0")/.."
old='NativeHnsw.Storage'
new='NativeHnsw.IndexFiles'

# The core's files: namespace and using lines, and names qualified with the old namespace.
core_files=$(git ls-files 'src/NativeHnsw/*.cs' 'tests/NativeHnsw.Tests/*.cs')
sed -i -E \
    -e "s/^namespace ${old//./\\.};/namespace ${new};/" \
    -e "s/^using ${old//./\\.};/using ${new};/" \
    -e "s/\b${old//./\\.}\.([A-Z])/${new}.\1/g" \
    $core_files

# The renamed namespace's types, for names qualified by the last part only (Storage.IndexHeader inside NativeHnsw).
types=$(grep -lE "^namespace ${new//./\\.};" $(git ls-files 'src/NativeHnsw/*.cs') |
    xargs grep -hoE '^(public |internal )?(sealed |static |abstract |readonly |unsafe |partial |ref )*(class|struct|record struct|record|enum|interface) [A-Z][A-Za-z0-9]*' |
    awk '{print $NF}' | sort -u)
alternation=$(echo "$types" | paste -sd '|')
sed -i -E "s/(^|[^.A-Za-z0-9_])Storage\.(${alternation})\b/\1IndexFiles.\2/g" $(git ls-files 'src/NativeHnsw/*.cs')

# The collections assembly's public types, to tell which namespace a bench file means.
store_types=$(grep -rhoE '^public (sealed |static |abstract |readonly |partial |ref )*(class|struct|record struct|record|enum|interface) [A-Z][A-Za-z0-9]*' \
    $(git ls-files 'src/NativeHnsw.Storage/*.cs') | awk '{print $NF}' | sort -u | paste -sd '|')
for file in $(git grep -lE "^using ${old//./\\.};" -- 'bench/*.cs' || true); do
    names_core=$(grep -cwE "(${alternation})" "$file" || true)
    names_store=$(grep -v '^using ' "$file" | grep -cwE "(${store_types})" || true)
    if [ "$names_core" -gt 0 ] && ! grep -qE "^using ${new//./\\.};" "$file"; then
        sed -i -E "0,/^using ${old//./\\.};/s//using ${new};\nusing ${old};/" "$file"
    fi
    if [ "$names_store" -eq 0 ]; then
        sed -i -E "/^using ${old//./\\.};/d" "$file"
    fi
done

left=$(git grep -nE "^namespace ${old//./\\.};" -- 'src/NativeHnsw/*.cs' || true)
if [ -n "$left" ]; then
    echo "still in the old namespace:" >&2
    echo "$left" >&2
    exit 1
fi
echo "renamed $old (core) to $new; now build, then run 'dotnet pwsh ./build.ps1 format' to sort the using lines"
