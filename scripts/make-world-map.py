#!/usr/bin/env python3
"""Generates Sources/MailAtlasKit/Report/WorldMapData.swift: the country shapes and capital dots of the report's
world map (a choropleth of spam by origin country).

Data, all public domain:
- Natural Earth's 1:110m admin-0 countries ("naturalearth_lowres") and populated places ("naturalearth_cities"),
  version 2.0.0 as shipped inside the PyPI wheel of geopandas 0.14.4 (geopandas/datasets/). Natural Earth,
  https://www.naturalearthdata.com/ — "Made with Natural Earth. Free vector and raster map data".
- Debian's iso-codes (/usr/share/iso-codes/json/iso_3166-1.json) to turn Natural Earth's ISO 3166 alpha-3 codes
  into the alpha-2 codes the geo databases give.
- The tz database's zone.tab (/usr/share/zoneinfo/zone.tab, Debian's tzdata) for the main city of the few
  territories whose capital is not among Natural Earth's populated places.

Natural Earth quirks handled here: a shape whose iso_a3 is "-99" (in this version only Kosovo) takes its code from
its name (NAME_FALLBACK below); "N. Cyprus" (CYN) and "Somaliland" (SOL) are not ISO 3166 countries and are drawn
as part of the map, without a code of their own, so they stay neutral; the populated places carry no country code,
so CAPITALS names each small country's capital by its name there. Every ISO 3166-1 code (and XK) without a shape is
a dot at its capital, and so is every country whose shape is too small to point at (under MIN_AREA), on top of it.

Projection: equirectangular (plate carrée), 10 units per degree, x = (longitude + 180) * 10,
y = (84 - latitude) * 10, so the map is 3600 × 1740 units from 84°N to 90°S. Rings are simplified with
Douglas–Peucker (TOLERANCE units), islands under MIN_RING units² dropped (a country keeps its largest ring), and
coordinates rounded to whole units (0.1°) and written as relative SVG path moves.

Run (no geopandas needed, only pyshp: `pip install pyshp`):

    pip download geopandas==0.14.4 --no-deps -d /tmp/ne
    apt-get install -y iso-codes tzdata
    python3 scripts/make-world-map.py /tmp/ne/geopandas-0.14.4-py3-none-any.whl
"""
import io
import json
import pathlib
import sys
import zipfile

import shapefile  # pyshp

SCALE = 10  # units per degree
TOP = 84.0  # northern edge, degrees
WIDTH, HEIGHT = 360 * SCALE, int((TOP + 90) * SCALE)
TOLERANCE = 1.0  # Douglas–Peucker tolerance, units
MIN_RING = 12.0  # rings (islands) smaller than this many units² are dropped, except a country's largest
MIN_AREA = 60.0  # countries smaller than this many units² also get a dot, so there is something to point at

# Shapes whose iso_a3 is -99, by Natural Earth's name.
NAME_FALLBACK = {"Kosovo": "XK"}
# Alpha-3 codes of Natural Earth that are not ISO 3166 (or that iso-codes does not list).
ALPHA3_EXTRA = {"XKX": "XK"}

# The capital (or main city) of each small country, as Natural Earth's populated places name it; used for the
# codes without a shape and for the tiny shapes.
CAPITALS = {
    "AD": "Andorra", "AG": "Saint John's", "BB": "Bridgetown", "BH": "Manama", "CV": "Praia", "DM": "Roseau",
    "FM": "Palikir", "GD": "Saint George's", "HK": "Hong Kong", "KI": "Tarawa", "KM": "Moroni", "KN": "Basseterre",
    "LC": "Castries", "LI": "Vaduz", "LU": "Luxembourg", "MC": "Monaco", "MH": "Majuro", "MT": "Valletta",
    "MU": "Port Louis", "MV": "Malé", "PW": "Melekeok", "SC": "Victoria", "SG": "Singapore",
    "SM": "San Marino", "ST": "São Tomé", "TO": "Nuku'alofa", "TV": "Funafuti", "VA": "Vatican City",
    "VC": "Kingstown", "WS": "Apia", "PS": "Jerusalem", "BN": "Bandar Seri Begawan", "QA": "Doha",
    "TT": "Port-of-Spain", "GM": "Banjul", "LB": "Beirut", "CY": "Nicosia", "SZ": "Mbabane", "BS": "Nassau",
}
# Places with neither a shape, nor a capital among the populated places, nor a zone in zone.tab: (lat, lon).
EXTRA_POINTS = {"BV": (-54.42, 3.36), "HM": (-53.1, 73.5)}


def project(lon, lat):
    return ((lon + 180.0) * SCALE, (TOP - lat) * SCALE)


def douglas_peucker(points, tolerance):
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        ax, ay = points[a]
        bx, by = points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
            if d > best:
                best, index = d, i
        if best > tolerance:
            keep[index] = True
            stack += [(a, index), (index, b)]
    return [p for p, k in zip(points, keep) if k]


def area(ring):
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))) / 2


def rings(shape):
    """The shape's rings, projected."""
    parts = list(shape.parts) + [len(shape.points)]
    return [[project(*p) for p in shape.points[a:b]] for a, b in zip(parts, parts[1:])]


def path(shape_rings):
    """Relative SVG path data, whole units."""
    kept = []
    largest = max(shape_rings, key=area)
    for ring in shape_rings:
        if ring is not largest and area(ring) < MIN_RING:
            continue
        simple = douglas_peucker(ring, TOLERANCE)
        points = []
        for x, y in simple:
            q = (round(x), round(y))
            if not points or points[-1] != q:
                points.append(q)
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) < 3:
            if ring is largest:  # keep something for a tiny country: its rounded outline as it comes
                points = [(round(x), round(y)) for x, y in ring[:3]]
            else:
                continue
        kept.append(points)
    out = []
    for points in kept:
        x0, y0 = points[0]
        s = "M%d %d" % (x0, y0)
        numbers = []
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            numbers += [bx - ax, by - ay]
        s += "l" + numbers_text(numbers)
        out.append(s + "z")
    return "".join(out)


def numbers_text(numbers):
    """Numbers as SVG path data writes them: a space before each, except where a minus sign separates."""
    text = ""
    for n in numbers:
        text += ("%d" % n) if (n < 0 or not text) else (" %d" % n)
    return text


def reader(wheel, name):
    z = zipfile.ZipFile(wheel)
    base = "geopandas/datasets/%s/%s" % (name, name)
    files = {ext: io.BytesIO(z.read(base + "." + ext)) for ext in ("shp", "shx", "dbf")}
    version = z.read(base.rsplit("/", 1)[0] + "/naturalearth_cities.VERSION.txt").decode().strip() \
        if name == "naturalearth_cities" else None
    encoding = z.read(base + ".cpg").decode().strip()  # the .dbf's text encoding (ISO-8859-1 for the countries)
    return shapefile.Reader(shp=files["shp"], shx=files["shx"], dbf=files["dbf"], encoding=encoding), version


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    wheel = sys.argv[1]
    root = pathlib.Path(__file__).resolve().parent.parent
    iso = json.load(open("/usr/share/iso-codes/json/iso_3166-1.json", encoding="utf-8"))["3166-1"]
    alpha2 = {c["alpha_3"]: c["alpha_2"] for c in iso}
    alpha2.update(ALPHA3_EXTRA)
    all_codes = {c["alpha_2"] for c in iso} | {"XK"}

    countries, _ = reader(wheel, "naturalearth_lowres")
    shapes = {}  # alpha-2 → path
    areas = {}
    others = []  # shapes of no ISO country (N. Cyprus, Somaliland): drawn neutral
    for shape, rec in zip(countries.shapes(), countries.records()):
        a3 = rec["iso_a3"]
        code = NAME_FALLBACK.get(rec["name"]) if a3 == "-99" else alpha2.get(a3)
        shape_rings = rings(shape)
        if code is None:
            if a3 not in ("CYN", "SOL"):
                sys.exit("no ISO 3166 code for %r (%s)" % (rec["name"], a3))
            others.append(path(shape_rings))
            continue
        if code in shapes:
            sys.exit("two shapes for " + code)
        shapes[code] = path(shape_rings)
        areas[code] = sum(area(r) for r in shape_rings)

    cities, version = reader(wheel, "naturalearth_cities")
    city = {}
    for shape, rec in zip(cities.shapes(), cities.records()):
        city.setdefault(rec["name"], shape.points[0])
    zones = {}
    for line in open("/usr/share/zoneinfo/zone.tab", encoding="utf-8"):
        if line.startswith("#"):
            continue
        code, coordinates = line.split("\t")[:2]
        zones.setdefault(code, coordinates)

    def zone_point(text):
        # ±DDMM±DDDMM or ±DDMMSS±DDDMMSS
        i = max(text.rfind("+"), text.rfind("-"))
        lat, lon = text[:i], text[i:]

        def degrees(t, width):
            sign = -1 if t[0] == "-" else 1
            t = t[1:]
            d, m, s = int(t[:width]), int(t[width:width + 2]), int(t[width + 2:width + 4] or 0)
            return sign * (d + m / 60 + s / 3600)

        return degrees(lon, 3), degrees(lat, 2)

    dots = {}  # alpha-2 → (x, y, source)
    for code in sorted(all_codes):
        if code in shapes and areas[code] >= MIN_AREA:
            continue
        name = CAPITALS.get(code)
        if name is not None and name not in city:
            sys.exit("no populated place named %r for %s" % (name, code))
        if name is not None:
            lon, lat = city[name]
        elif code in zones:
            lon, lat = zone_point(zones[code])
        elif code in EXTRA_POINTS:
            lat, lon = EXTRA_POINTS[code]
        else:
            sys.exit("no place for " + code)
        x, y = project(lon, lat)
        dots[code] = (round(x), round(y))

    out = [
        "// Generated by scripts/make-world-map.py; do not edit.",
        "// Country shapes and points: Made with Natural Earth (public domain, naturalearthdata.com), 1:110m",
        "// admin-0 countries and populated places v%s as shipped in geopandas 0.14.4; ISO codes from Debian's" % version,
        "// iso-codes; a few territories' main cities from the tz database's zone.tab (public domain).",
        "// swift-format-ignore-file",
        "",
        "/// The report's world map: equirectangular, %d units per degree, %d × %d units from %g°N to 90°S."
        % (SCALE, WIDTH, HEIGHT, TOP),
        "enum WorldMapData {",
        "    static let width = %d" % WIDTH,
        "    static let height = %d" % HEIGHT,
        "    /// SVG path data of each country (ISO 3166-1 alpha-2 and XK) that Natural Earth's 1:110m data draws.",
        "    static let shapes: [String: String] = [",
    ]
    for code in sorted(shapes):
        out.append('        "%s": "%s",' % (code, shapes[code]))
    out += [
        "    ]",
        "    /// Land of no ISO 3166 country (N. Cyprus, Somaliland): drawn, never coloured.",
        '    static let otherLand = "%s"' % "".join(others),
        "    /// A point for each country without a shape, or with one too small to point at: its capital.",
        "    static let dots: [String: (x: Int, y: Int)] = [",
    ]
    items = ['"%s": (%d, %d)' % (c, x, y) for c, (x, y) in sorted(dots.items())]
    line = "       "
    for item in items:
        if len(line) + len(item) + 2 > 116:
            out.append(line)
            line = "       "
        line += " " + item + ","
    out += [line, "    ]", "}", ""]
    target = root / "Sources/MailAtlasKit/Report/WorldMapData.swift"
    target.write_text("\n".join(out), encoding="utf-8")
    print("%s: %d shapes, %d dots, %d bytes" % (target.name, len(shapes), len(dots), target.stat().st_size),
          file=sys.stderr)


if __name__ == "__main__":
    main()
