#!/usr/bin/env bash
# Rebuilds the built-in IP database, Sources/CGeoData/ipdb.mageo, from the IPFire Location Database export in
# ../shared/geo (or $GEO_SOURCES) with the project's own importer, then rebuilds so the binary embeds it.
#
#   scripts/build-geo-db.sh            # from the package root
#
# Needs: the two IPFire files named below, and Debian's iso-codes package for country names
# (apt-get install -y iso-codes). The data is CC BY-SA 4.0: keep Sources/CGeoData/LICENSE-ipdb.txt beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
src="${GEO_SOURCES:-../shared/geo}"
date="2026-08-22"
stamp="${date//-/}"
out="Sources/CGeoData/ipdb.mageo"

swift build -c release --product mailatlas
bin="$(swift build -c release --show-bin-path)/mailatlas"
"$bin" geo import \
    "$src/asn-country-ipfire-CCBYSA4-$stamp.csv" \
    "$src/asnames-ipfire-CCBYSA4-$stamp.tsv" \
    /usr/share/iso-codes/json/iso_3166-1.json \
    scripts/geo/country-names-extra.tsv \
    --name "IPFire Location Database" \
    --date "$date" \
    --attribution "IPFire Location Database, https://location.ipfire.org/ (CC BY-SA 4.0)" \
    --only-used-as-names \
    --out "$out.tmp"
mv "$out.tmp" "$out"
ls -l "$out"
# The C target embeds the file at compile time; rebuild so the binary carries the new data.
touch Sources/CGeoData/geodata.c
swift build -c release --product mailatlas
