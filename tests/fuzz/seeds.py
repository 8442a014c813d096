#!/usr/bin/env python3
"""seeds.py: (re)writes the seed corpora of tests/fuzz/*/corpus from the
repository's own data (sample catalog, fixtures, templates) and a few
hand-made inputs. Seeds are named by content hash, so running it again adds
nothing twice. Run from anywhere: python3 tests/fuzz/seeds.py"""
import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(HERE, target, 'corpus')
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def lines(path):
    with open(os.path.join(ROOT, path), 'rb') as f:
        return [l.rstrip(b'\n') for l in f if l.strip()]


# ---- form: first byte = shape (see form.c) -------------------------------------
CLAIM = ('csrf=AAAA&orcid=0000-0002-1825-0097&email=arora%40cs.princeton.edu'
         '&evidence_url=https%3A%2F%2Fwww.cs.princeton.edu%2F~arora%2F&note=It+is+me')
form = {
    0: ['q=arora', 'q=Gr%C3%A9goire&page=2', 'q=%zz', 'q=a&q=b', 'page=0',
        'q=%3Czz%3E', 'q=<zz>', 'q=a%00b', 'page=999999999', '&&q=x&submit'],
    1: ['q=li&page=1', 'q=%C3%A9', 'q=' + 'a' * 201],
    2: ['page=2&sort=oldest', 'sort=newest', 'sort=x', 'page=abc'],
    3: ['next=/researchers/sanjeev-arora', 'next=//evil.example/', 'next=%2F%2Fevil',
        'next=/%0d%0aSet-Cookie:%20x=1', 'next=javascript:alert(1)', 'next=/\\evil'],
    4: ['csrf=abc&action=follow', 'action=follow&action=unfollow', 'action=fol%ZZlow',
        'csrf=x&action=maybe', 'action=follow%00'],
    5: [CLAIM, CLAIM + '&note=%3Cscript%3Ealert(1)%3C/script%3E',
        CLAIM.replace('0097', '0098'), 'orcid=' + '9' * 40,
        CLAIM.replace('0000-0002-1825-0097', 'https%3A%2F%2Forcid.org%2F0000-0002-1825-0097'),
        'orcid=+HTTP://WWW.ORCID.ORG/0000-0002-1694-233x/+&note=' + '%C3%A9' * 13,
        'https://orcid.org/0000000218250097', 'orcid.org/0000-0002-1825-009',
        'email=a%40b.edu&note=ok%0D%0Aok&evidence_url=https%3A%2F%2Fx.edu%2F',
        'note=%E2%80%AEevil&orcid=%E2%80%AE0000-0002-1825-0097&email=%FF'],
    6: ['csrf=x', 'csrf=' + 'A' * 65],
    7: ['GET /researchers/sanjeev-arora\nbzs=ZGVtbw.9999999999.AAAA; bzf=followed\n\n',
        'GET /researchers/A5000000001\n\n\n',
        'GET /researchers/sanjeev-arora.json\n\n\n',
        'HEAD /researchers/sanjeev-arora/graph\n\n\n',
        'GET /researchers/sanjeev-arora/graph.json\n\n\n',
        'GET /researchers/sanjeev-arora/works.atom\n\n\n',
        'GET /researchers/sanjeev-arora/works.bib\n\n\n',
        'GET /researchers/sanjeev-arora/works?page=1&sort=oldest\n\n\n',
        'PUT /researchers/sanjeev-arora\n\n\n',
        'BREW /\n\n\n',
        'GET /healthz\n\n\n',
        'GET /researchers/%2e%2e/etc/passwd\n\n\n',
        'GET /researchers/%D1%95anjeev-arora\n\n\n',
        'GET //evil\n\n\n',
        'GET /researchers/<zz>\n\n\n',
        'GET /researchers/x%22zz\n\n\n',
        'POST /researchers/sanjeev-arora/follow\n\ntext/plain\naction=follow',
        'POST /researchers/sanjeev-arora/claim\nbzs=x\napplication/x-www-form-urlencoded; charset=utf-8\n' + CLAIM,
        'POST /logout\n\napplication/x-www-form-urlencoded\ncsrf=x',
        'GET /researchers/sanjeev-arora\nbzf=claimed\n\n',
        'GET /researchers/sanjeev-arora\n\n\n'],
}
for shape, inputs in form.items():
    for s in inputs:
        put('form', bytes([shape]) + s.encode())
        put('form', bytes([shape | 0x10]) + s.encode())
    put('form', bytes([shape | 0x08]) + inputs[0].encode())
# 0x20: the invitation's forms (5: .../invite, 6: /me/invitations)
for s in ['csrf=AAAA&subject=A+joint+workshop&message=Dear+colleague%2C%0D%0Ashall+we%3F',
          'csrf=AAAA&subject=%3Cscript%3E&message=x%22zz%00',
          'csrf=AAAA&subject=' + '%C3%A9' * 151 + '&message=%E2%80%A8']:
    put('form', bytes([5 | 0x20]) + s.encode())
    put('form', bytes([5 | 0x20 | 0x10]) + s.encode())
for s in ['csrf=AAAA&invitation=1&action=accept', 'csrf=AAAA&invitation=99999999999&action=block',
          'csrf=AAAA&invitation=1&action=%3Czz']:
    put('form', bytes([6 | 0x20]) + s.encode())

# ---- cookie ------------------------------------------------------------------------
for s in ['bzs=abc; bzf=followed', 'a=1;b=2; bzs=', ' bzs = x', 'bzs=x\tbzs=y',
          'xbzs=1; bzs=2', 'bzs=ZGVtbw.1700000100.abc ;bzf=signed_in;', ';;;', '=',
          'bzf=; bzs=ZGVtbw.1.x', 'a=b; ' * 20 + 'bzs=end',
          'bzs=ZGVtbw.1700000000123.1700000100.abc; bzf=x', 'bzs=ZGVtbw.01.2.x']:
    put('cookie', s)

# ---- router: first byte = method (GET HEAD POST PUT DELETE OPTIONS BREW get) ----------
for m in range(8):
    for s in ['/', '/researchers', '/researchers/', '/researchers/sanjeev-arora',
              '/researchers/sanjeev-arora.json', '/researchers/sanjeev-arora/graph',
              '/researchers/sanjeev-arora/graph.json', '/researchers/sanjeev-arora/works',
              '/researchers/sanjeev-arora/works.atom', '/researchers/sanjeev-arora/works.bib',
              '/researchers/sanjeev-arora/follow', '/researchers/sanjeev-arora/claim',
              '/login?next=/', '/logout', '/healthz', '/researchers/A5000000001',
              '/researchers/..%2Fetc', '//x', '/a/b/c/d/e/f/g/h/i', '/%C0%AF', '/%ED%A0%80',
              '/researchers/.json', '/researchers/%2e%2e', 'x']:
        if m in (0, 2) or s in ('/', '/researchers/sanjeev-arora'):
            put('router', bytes([m]) + s.encode())
# ... and researcher_ref_parse: what an owner names a duplicate with.
for s in ['https://bzpeer.example/researchers/zhiyuan-li?x=1', '/researchers/A5000000002/works',
          ' A5000000002 ', 'https://openalex.org/A123', 'nguy%E1%BB%85n-van-an',
          '/researchers/%E7%8E%8B%E5%B0%8F%E6%98%8E', 'a%2Fb', 'https://evil.example/other/x',
          '/researchers/a123', 'javascript:alert(1)', '/researchers/sanjeev-arora/edit',
          '/researchers/sanjeev-arora/settings', '/researchers/sanjeev-arora/hide',
          '/researchers/sanjeev-arora/merge']:
    put('router', b'G' + s.encode())

# ---- session --------------------------------------------------------------------------
for s in ['ZGVtbw.1700000100.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'demo', '..',
          'ZGVtbw..x', 'ZGVtbw.99999999999999999999.x', 'ZGVtbw.1.' + 'A' * 43,
          '\x00\x01\x02\xff', 'a' * 200,
          'ZGVtbw.1700000000123.1700000100.' + 'A' * 43, 'ZGVtbw.1700000000123.1700000100.',
          'ZGVtbw.0.1700000100.x', 'ZGVtbw.1700000000123.01700000100.x', 'ZGVtbw.1.2.3.x']:
    put('session', s)

# ---- OpenAlex lines ----------------------------------------------------------------------
for l in lines('store/sample/authors.jsonl') + lines('tests/fixtures/import/authors.jsonl') + \
        lines('tests/fixtures/import/authors-v2.jsonl'):
    put('oa_author', l)
for s in ['{}', '{"id":null}', '{"id":"https://openalex.org/A1","display_name":"\\u0000"}',
          '{"id":"https://openalex.org/A12","display_name":"X","orcid":"https://orcid.org/0000-0002-1825-0097"}']:
    put('oa_author', s)
for l in lines('store/sample/works.jsonl') + lines('tests/fixtures/import/works.jsonl') + \
        lines('tests/fixtures/import/works-v2.jsonl') + lines('tests/fixtures/hostile-works.jsonl') + \
        lines('tests/fixtures/reimport-works.jsonl'):
    put('oa_work', l)
# Real records (tests/fixtures/openalex): the shortest line of each schema
# generation, so the corpus stays small.
def shortest(path, want):
    ls = [l for l in lines(path) if want(l)]
    return [min(ls, key=len)] if ls else []
for y in ('2022', '2023', '2025', '2026'):
    for l in shortest('tests/fixtures/openalex/authors-%s.jsonl' % y,
                      lambda l: b'affiliations' in l or b'last_known_institution' in l):
        put('oa_author', l)
for y in ('2021', '2022', '2023', '2025', '2026'):
    for l in shortest('tests/fixtures/openalex/works-%s.jsonl' % y,
                      lambda l: b'IndexLength' in l or b'"author":{"id":null' in l or
                      b'abstract_inverted_index":{"' in l):
        put('oa_work', l)
for s in ['{"id":"W1","abstract_inverted_index":{"IndexLength":3,"InvertedIndex":{"a":[0],"b":[2]}}}',
          '{"id":"W1","abstract_inverted_index":{"InvertedIndex":{"a":[0]},"IndexLength":1}}',
          '{"id":"W1","host_venue":{"display_name":"V"},"concepts":[{"id":"C41008148","display_name":"CS"}],'
          '"best_oa_location":{"pdf_url":"https://x/p.pdf"},"is_retracted":true,"is_paratext":false,'
          '"cited_by_count":3,"publication_date":"2021-01-02","authorships":[{"author":{"id":null},'
          '"raw_author_name":"R","institutions":[{"display_name":"I"}]},{"author":{"id":"A5317838346",'
          '"display_name":"Deleted Author"}}]}']:
    put('oa_work', s)
for s in ['{"id":"A1","last_known_institutions":[{"id":"I1","display_name":"X"},{"display_name":"Y"}],'
          '"affiliations":[{"institution":{"id":"I1","display_name":"X"},"years":[2020,2018]},'
          '{"institution":{"display_name":"Z"},"years":[2010]}],"summary_stats":{"h_index":2,"i10_index":1},'
          '"counts_by_year":[{"year":2020,"works_count":1,"cited_by_count":4}],"cited_by_count":4}']:
    put('oa_author', s)
for s in ['{}', '{"id":"https://openalex.org/W1","abstract_inverted_index":{"a":[0,2],"b":[1]}}',
          '{"id":"https://openalex.org/W2","authorships":[{"author":{"id":"https://openalex.org/A1"}}]}']:
    put('oa_work', s)

# ---- templates: first byte = the view, in tmpl.c's order ------------------------------
views = ['layout', 'profile', 'home', 'error', 'holes', 'graph', 'works', 'work', 'me', 'owner']
for i, v in enumerate(views):
    with open(os.path.join(ROOT, 'views', v + '.html'), 'rb') as f:
        put('tmpl', bytes([i]) + f.read())
for i in range(len(views)):
    for s in ['{{x}}', '{{#a}}{{/a}}', '{{! c }}', '{{>flash}}', '{{', '}}', 'plain <b>text</b>\n  \n x']:
        put('tmpl', bytes([i]) + s.encode())

# ---- fcgi: first byte = read size - 1, then a raw FastCGI stream -----------------------
def rec(t, rid, content=b'', pad=0):
    return bytes([1, t, rid >> 8, rid & 255, len(content) >> 8, len(content) & 255,
                  pad, 0]) + content + b'P' * pad


def pair(n, v):
    def ln(x):
        return bytes([len(x)]) if len(x) < 128 else (len(x) | 0x80000000).to_bytes(4, 'big')
    return ln(n) + ln(v) + n + v


BEGIN_KEEP = b'\x00\x01\x01\x00\x00\x00\x00\x00'
GET = (pair(b'REQUEST_METHOD', b'GET') + pair(b'REQUEST_URI', b'/researchers/sanjeev-arora') +
       pair(b'QUERY_STRING', b'') + pair(b'REMOTE_ADDR', b'127.0.0.1') +
       pair(b'HTTP_COOKIE', b'bzs=x; bzf=followed') + pair(b'HTTP_LONG', b'v' * 300))


def whole(rid, params=GET, body=b'', keep=BEGIN_KEEP):
    out = rec(1, rid, keep) + rec(4, rid, params, 3) + rec(4, rid)
    if body:
        out += rec(5, rid, body)
    return out + rec(5, rid)


fcgi = [
    whole(1),
    whole(1) + whole(1) + whole(7, body=b'csrf=x&action=follow'),
    whole(1, params=GET + pair(b'REMOTE_USER', b'') + pair(b'REMOTE_USER', b'admin')),
    rec(1, 1, BEGIN_KEEP) + rec(4, 1, b'\x10\xff\xff\xff\xf0' + b'A' * 16 + b'xyz') + rec(4, 1),
    rec(9, 0, pair(b'FCGI_MAX_CONNS', b'') + pair(b'FCGI_MPXS_CONNS', b'')),
    rec(12, 0, b'zz') + whole(2),
    rec(1, 1, BEGIN_KEEP) + rec(4, 1, GET) + rec(1, 2, BEGIN_KEEP) + rec(4, 1) + rec(5, 1),
    rec(1, 1, b'\x00\x02\x01\x00\x00\x00\x00\x00') + whole(3),
    rec(1, 1, BEGIN_KEEP) + rec(4, 1, GET) + rec(2, 1) + whole(4),
    whole(1, body=b'x' * 1000),
    rec(1, 1, BEGIN_KEEP) + rec(4, 1, b'a' * 3000) + rec(4, 1, b'a' * 3000),
    whole(1, params=pair(b'A=B', b'c')),
    whole(1)[:37],
]
for i, s in enumerate(fcgi):
    put('fcgi', bytes([(i * 37) % 256]) + s)

# ---- page: a cached page (views/page.h): "BZPG1", status, nholes, slug length, holes, slug, body --
def page(status, holes, slug, body):
    out = b'BZPG1' + status.to_bytes(4, 'little') + len(holes).to_bytes(4, 'little') + \
        len(slug).to_bytes(4, 'little')
    for off, kind in holes:
        out += off.to_bytes(4, 'little') + bytes([kind])
    return out + slug + body


for p in [page(200, [], b'', b'<p>x</p>'),
          page(200, [(3, 0), (10, 1), (10, 2), (20, 3), (30, 4)], b'sanjeev-arora', b'x' * 40),
          page(404, [(0, 1)], b'', b''),
          page(200, [(5, 9)], b'a', b'body'),
          page(200, [(50, 0)], b'', b'short'),
          page(99, [], b'', b''),
          b'BZPG1' + b'\xff' * 12,
          b'BZPG']:
    put('page', p)

# ---- fold: a name, any bytes ------------------------------------------------------------
import glob
import json
for path in sorted(glob.glob(os.path.join(ROOT, 'tests/fixtures/openalex/authors-*.jsonl')) +
                   glob.glob(os.path.join(ROOT, 'tests/fixtures/names/authors.jsonl'))):
    with open(path, encoding='utf-8') as f:
        for l in f:
            a = json.loads(l)
            for n in [a.get('display_name')] + (a.get('display_name_alternatives') or []):
                if n:
                    put('fold', n)
for s in ['Nguyễn Văn An', 'Hervé Jeǵou', 'Martı́n Farach-Colton', 'Беспалов Дмитрий Николаевич',
          'Алёна Йосипенко', 'ΕΛΈΝΗ ΟΔΥΣΣΕΥΣ', 'Ὀδυσσεύς', '宮地 元彦', 'ｶﾞｳｽ', '김민준',
          'مُحَمَّد عَلِيّ', 'שָׁלוֹם', 'अमित शर्मा', 'สมชาย', 'Ｊｏｈｎ', 'ﬁona', 'İlker Işık',
          'Jean\u2010Pierre O\u2019Brien', 'Jean\u2011Pierre', 'O\u02bcBrien', 'Ann\u00adette',
          '\u200fAli\u200e \u202eX', 'a\u0085b\u2028c', 'n\u0303o\u0308\u0301', 'ŀl ŉ ŋ Ŋ',
          '\ufdfa', '\u0390\u1fb3', 'ǅ ǆ Ǆ', 'ß ẞ', 'Æ Œ Þ ð Ø Ł Đ Ħ Ŧ ĸ', '  ', '---', '']:
    put('fold', s)
for b in [b'a\xffb\xc3c', b'\xc0\xaf', b'\xed\xa0\x80', b'\xf4\x90\x80\x80', b'a\x00b', b'\x01\x7f']:
    put('fold', b)
for s in ['{"id":"https://openalex.org/A7","display_name":"Hervé Jeǵou","display_name_alternatives":["H. Jégou",7,null,"Jegou, Herve"]}',
          '{"id":"A8","display_name_alternatives":"x"}', '{"id":"A9","display_name_alternatives":[' + ','.join(['"n%d"' % i for i in range(40)]) + ']}']:
    put('oa_author', s)

# ---- manifest: first byte = entity folder (0 jsonl/works 1 jsonl/authors 2 works 3 authors) | 4 combined --
def manifest(base, parts, totals=True, extra=None):
    entries = ['{"url":"s3://openalex/data/%s%s","meta":{"content_length":%d,"record_count":%d}}'
               % (base, name, clen, rec) for name, clen, rec in parts]
    m = '{"entries":[' + ','.join(entries) + ']'
    if totals:
        m += ',"meta":{"content_length":%d,"record_count":%d}' % (
            sum(p[1] for p in parts), sum(p[2] for p in parts))
    return m + (extra or '') + '}'


CUR = [('updated_date=2024-01-01/part_0000.gz', 1289216345, 317563),
       ('updated_date=2024-01-01/part_0001.gz', 1301125532, 320104),
       ('updated_date=2024-02-29/part_0000.gz', 52138, 11),
       ('updated_date=2023-12-31/part_0000.gz', 7, 0)]
LEG = [('updated_date=2022-11-04/0000_part_00.gz', 90133261, 100000),
       ('updated_date=2022-11-04/0001_part_00.gz', 12345, 12)]
for shape, base, parts in [(0, 'jsonl/works/', CUR), (1, 'jsonl/authors/', CUR),
                           (2, 'works/', LEG), (3, 'authors/', LEG)]:
    put('manifest', bytes([shape]) + manifest(base, parts).encode())
    put('manifest', bytes([shape]) + manifest(base, parts, totals=False).encode())
    put('manifest', bytes([shape]) + manifest(base, parts[:1]).replace('"record_count":', '"record_count":1').encode())
put('manifest', bytes([4]) + (
    '{"entries":[' + ','.join(
        '{"url":"s3://openalex/data/jsonl/%s/updated_date=2024-03-01/part_0000.gz",'
        '"meta":{"content_length":6,"record_count":2}}' % e
        for e in ['sources', 'works', 'authors', 'institutions']) +
    '],"meta":{"content_length":24,"record_count":8}}').encode())
for bad in ['{"entries":[', '{"entries":{}}', '{}', '[]', '',
            '{"entries":[{"url":"s3://openalex/data/works/updated_date=2024-01-02/..",'
            '"meta":{"content_length":3,"record_count":1}}]}',
            '{"entries":[{"url":"s3://openalex/data/works/updated_date=2024-01-02/../../../etc/passwd",'
            '"meta":{"content_length":3,"record_count":1}}]}',
            '{"entries":[{"url":"s3://openalex/data/works/updated_date=2024-99-99/0000_part_00.gz",'
            '"meta":{"content_length":3,"record_count":1}}]}',
            '{"entries":[{"url":"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz",'
            '"meta":{"content_length":-3,"record_count":1}}]}',
            '{"entries":[{"url":"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz",'
            '"meta":{"content_length":9223372036854775807,"record_count":1}}]}',
            '{"entries":[{"url":"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz\\u0000x",'
            '"meta":{"content_length":3,"record_count":1}}]}',
            '{"entries":[{"url":"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz",'
            '"meta":{"content_length":3,"record_count":1}},'
            '{"url":"s3://openalex/data/works/updated_date=2024-01-02/0000_part_00.gz",'
            '"meta":{"content_length":3,"record_count":1}}]}']:
    put('manifest', b'\x02' + bad.encode())

# ---- csv: first byte = read size (0: all at once), then a merged or deleted ids file --
CSV = ['merge_date,id,merge_into_id\n2023-06-19,A5000000001,A5000000002\n'
       '2023-06-19,A5023888391,A5073022000\n',
       'merge_date,id,merge_into_id\r\n2021-11-09,W2004427364,W1993876012\r\n',
       'merge_date,id,merge_into_id\n"2024-02-01","A1","https://openalex.org/A2"\n',
       'work_id,deleted_date\nW4285719527,2024-01-15\nhttps://openalex.org/W2,2024-01-16',
       'merge_date,id,merge_into_id\n\n2024-02-01,A1\n2024-02-01,A1,W2,x\nbad-date,A1,A2\n',
       'a,"b"c",d\n"x\n"",""\n' + 'x' * 1100 + '\n' + 'y' * 1024 + '\r\n',
       'a\x00b,c\n,,\n,,,\n']
for i, s in enumerate(CSV):
    for step in (0, 1, 7):
        put('csv', bytes([step]) + s.encode())
