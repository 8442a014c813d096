// browser-test.mjs: BZPEER's pages in a real browser (Debian's Chromium driven
// by playwright-core) through the real nginx stack: screenshots at desktop and
// phone widths, no horizontal scroll on a phone, the explorer's SVG visible,
// no CSP violation or console error, html-validate and axe-core clean.
//
//   node browser-test.mjs BASE_URL ARTIFACT_DIR
//
// Prints one "ok - ..." / "not ok - ..." line per assertion (tests/run.sh
// counts them) and exits 1 when any failed. Needs the stack's catalog to hold
// the sample and tests/fixtures/pages (ada-prolific: a long works list).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { HtmlValidate } from 'html-validate';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const BASE = process.argv[2];
const ART = process.argv[3] || join(here, 'artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BASE) {
	console.error('usage: node browser-test.mjs BASE_URL [ARTIFACT_DIR]');
	process.exit(2);
}
mkdirSync(ART, { recursive: true });

let failed = 0;
function ok(cond, desc, detail) {
	if (cond) {
		console.log(`ok - ${desc}`);
	} else {
		failed = 1;
		console.log(`not ok - ${desc}`);
		if (detail)
			for (const l of String(detail).split('\n').slice(0, 25))
				console.log(`    # ${l}`);
	}
	return cond;
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const validator = new HtmlValidate(JSON.parse(readFileSync(join(here, 'htmlvalidate.json'), 'utf8')));

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const NARROW = { width: 320, height: 640 };   // WCAG 1.4.10 reflow

// The pages every check runs on: [name, path, expected status, full: also
// screenshots and axe at the phone width (each takes a second or two)].
const PAGES = [
	['profile', '/researchers/sanjeev-arora', 200, true],
	['profile-long', '/researchers/ada-prolific', 200, false],
	['home', '/', 200, true],
	['search', '/researchers?q=gregoire', 200, false],
	['graph', '/researchers/sanjeev-arora/graph', 200, true],
	['works', '/researchers/ada-prolific/works?sort=oldest&page=2', 200, true],
	['hostile', '/researchers/gregoire-levy', 200, false],
	['not-found', '/researchers/nobody-at-all', 404, false],
];

const userDataDir = mkdtempSync(join(tmpdir(), 'bzpeer-chromium-'));
const started = Date.now();
let context;
try {
	context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update',
			'--disable-sync'],
		viewport: DESKTOP,
		timeout: 30000,
		// the stack's demo account, for nginx's auth_basic at /login only
		httpCredentials: { username: 'demo', password: 'demo' },
	});
} catch (e) {
	ok(false, 'Chromium starts', e.message);
	rmSync(userDataDir, { recursive: true, force: true });
	process.exit(1);
}
ok(true, 'Chromium starts');

// A page that records console errors and CSP violations (an error page's own
// status, which Chromium logs as a failed load, is what was asked for).
async function open(path, viewport, status = 200) {
	const page = await context.newPage();
	const problems = [];
	page.on('console', (m) => {
		if (m.type() !== 'error')
			return;
		if (status !== 200 && m.location().url === BASE + path &&
		    m.text().includes(`status of ${status}`))
			return;
		// a claim form sent back with its errors is a 400, as it should be
		if (m.location().url.endsWith('/claim') && m.text().includes('status of 400'))
			return;
		problems.push(m.text());
	});
	page.on('pageerror', (e) => problems.push(String(e)));
	await page.setViewportSize(viewport);
	const resp = await page.goto(BASE + path, { waitUntil: 'load' });
	return { page, resp, problems };
}

async function axeRun(page) {
	// Evaluated through the DevTools protocol, which the page's CSP
	// (script-src 'self') does not govern; nothing is added to the page.
	await page.evaluate(axeSource);
	return page.evaluate(async () => {
		const r = await window.axe.run(document, { resultTypes: ['violations'] });
		return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -- ` +
			v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '));
	});
}

async function noHorizontalScroll(page) {
	return page.evaluate(() => {
		const d = document.documentElement;
		return { sw: d.scrollWidth, cw: d.clientWidth, bw: document.body.scrollWidth };
	});
}

for (const [name, path, status, full] of PAGES) await section(name, async () => {
	const { page, resp, problems } = await open(path, DESKTOP, status);
	ok(resp && resp.status() === status, `${name}: ${path} answers ${status}`,
		resp ? `got ${resp.status()}` : 'no response');
	const html = await resp.text();

	// html-validate on the markup as served (not the browser's re-serialised DOM)
	const report = await validator.validateString(html, `${name}.html`);
	const msgs = report.results.flatMap((r) => r.messages)
		.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
	ok(report.valid, `${name}: html-validate reports no errors`, msgs.join('\n'));

	const violations = await axeRun(page);
	ok(violations.length === 0, `${name}: axe-core reports no violations`, violations.join('\n'));

	if (full)
		await page.screenshot({ path: join(ART, `${name}-1280.png`), fullPage: true });
	await page.setViewportSize(PHONE);
	const s = await noHorizontalScroll(page);
	ok(s.sw <= s.cw, `${name}: no horizontal scroll at 390 px`,
		`scrollWidth ${s.sw} > clientWidth ${s.cw}`);
	ok(await headerFits(page), `${name}: the sticky header is one row of at most 56 px at 390 px`,
		JSON.stringify(await headerBox(page)));
	if (full) {
		await page.screenshot({ path: join(ART, `${name}-390.png`), fullPage: true });
		const phoneViolations = await axeRun(page);
		ok(phoneViolations.length === 0, `${name}: axe-core reports no violations at 390 px`,
			phoneViolations.join('\n'));
	}
	await page.setViewportSize(NARROW);
	const n = await noHorizontalScroll(page);
	ok(n.sw <= n.cw && await allInside(page), `${name}: no horizontal scroll at 320 px, nothing cut off`,
		`scrollWidth ${n.sw} > clientWidth ${n.cw}; ${JSON.stringify(await outside(page))}`);
	ok(problems.length === 0, `${name}: no console error or CSP violation`, problems.join('\n'));
	await page.close();
});

// Buttons, links and fields that stick out of the viewport (cut off without a scroll bar:
// the home page's Search button at 320 px), outside boxes that scroll on purpose.
function outside(page) {
	return page.evaluate(() => {
		const w = document.documentElement.clientWidth;
		return [...document.querySelectorAll('button, a.btn, input, textarea, select, summary')]
			.filter((e) => e.offsetParent !== null && !e.closest('.graph-scroll, .visually-hidden'))
			.map((e) => [e.outerHTML.slice(0, 60), e.getBoundingClientRect()])
			.filter(([, r]) => r.width > 0 && (r.left < -0.5 || r.right > w + 0.5))
			.map(([h, r]) => `${h} ${Math.round(r.left)}..${Math.round(r.right)} of ${w}`);
	});
}
async function allInside(page) {
	return (await outside(page)).length === 0;
}
function headerBox(page) {
	return page.evaluate(() => {
		const h = document.querySelector('.site-header');
		return { height: h.getBoundingClientRect().height, position: getComputedStyle(h).position };
	});
}
async function headerFits(page) {
	const b = await headerBox(page);
	return b.height <= 56 && b.position === 'sticky';
}

// A block of checks; an exception (a timeout, a missing element) is one failure.
async function section(name, fn) {
	try {
		await fn();
	} catch (e) {
		ok(false, `${name}: ran to the end`, e.message);
	}
}

// ---- from the profile to the explorer ------------------------------------------
await section('explorer', async () => {
	const { page, problems } = await open('/researchers/sanjeev-arora', DESKTOP);
	const styles = await page.evaluate(() => {
		const h = document.querySelector('.counter-value');
		return h ? getComputedStyle(h).fontWeight : '';
	});
	ok(Number(styles) >= 700, 'the stylesheet applies (counters are bold)', `font-weight ${styles}`);
	await page.getByRole('link', { name: 'Open full explorer' }).click();
	await page.waitForURL('**/researchers/sanjeev-arora/graph');
	ok(page.url().endsWith('/researchers/sanjeev-arora/graph'), 'Open full explorer leads to the explorer');
	const svg = page.locator('svg.graph-svg');
	ok(await svg.isVisible(), 'the explorer\'s SVG is visible');
	const box = await svg.boundingBox();
	ok(box && box.width > 700 && box.height > 500, 'the SVG is drawn at a readable size',
		JSON.stringify(box));
	const counts = await page.evaluate(() => ({
		works: document.querySelectorAll('svg.graph-svg .g-nodes .node-work').length,
		people: document.querySelectorAll('svg.graph-svg .g-nodes .node-close, svg.graph-svg .g-nodes .node-coauthor').length,
		edges: document.querySelectorAll('svg.graph-svg .g-edges path').length,
		labelSize: parseFloat(getComputedStyle(document.querySelector('svg.graph-svg .g-label')).fontSize),
	}));
	ok(counts.works === 13 && counts.people === 22, 'the SVG draws 13 works and 22 co-authors',
		JSON.stringify(counts));
	ok(counts.edges > 50, 'the SVG draws the edges', JSON.stringify(counts));
	// labels on screen: the drawing is scaled to the page, never below 10 px text
	const scale = box ? box.width / 1000 : 0;
	ok(counts.labelSize * scale >= 10, 'graph labels are at least 10 px on a desktop screen',
		`${counts.labelSize} x ${scale.toFixed(2)}`);
	// labels never overlap each other
	const overlaps = await page.evaluate(() => {
		const r = [...document.querySelectorAll('svg.graph-svg .g-label')].map((t) => t.getBoundingClientRect());
		let n = 0;
		for (let i = 0; i < r.length; i++)
			for (let j = i + 1; j < r.length; j++)
				if (r[i].left < r[j].right - 1 && r[j].left < r[i].right - 1 &&
				    r[i].top < r[j].bottom - 1 && r[j].top < r[i].bottom - 1)
					n++;
		return n;
	});
	ok(overlaps === 0, 'no two graph labels overlap', `${overlaps} overlapping pairs`);
	await svg.screenshot({ path: join(ART, 'explorer-svg-1280.png') });
	await page.setViewportSize(PHONE);
	ok(await svg.isVisible(), 'the SVG is visible at 390 px too');
	const scroller = await page.evaluate(() => {
		const s = document.querySelector('.graph-scroll');
		return { scroll: s.scrollWidth > s.clientWidth, page: document.documentElement.scrollWidth <= document.documentElement.clientWidth };
	});
	ok(scroller.page, 'at 390 px the drawing scrolls in its own box, not the page', JSON.stringify(scroller));
	ok(problems.length === 0, 'explorer: no console error or CSP violation', problems.join('\n'));
	await page.close();
});

// ---- Show more on a long profile --------------------------------------------------
await section('show more', async () => {
	const { page } = await open('/researchers/ada-prolific', DESKTOP);
	await page.getByRole('link', { name: 'Show more' }).click();
	await page.waitForURL('**/works?page=2');
	const n = await page.locator('li.work').count();
	ok(n === 20, 'Show more opens the next 20 works', `${n} works`);
	await page.close();
});

// ---- sign in, Follow with the script, then with JavaScript off ------------------------
// (the stack's store is fresh: nobody follows anyone yet)
await section('follow', async () => {
	const { page, problems } = await open('/login?next=/researchers/sanjeev-arora', DESKTOP);
	ok(page.url().endsWith('/researchers/sanjeev-arora'), 'signing in at /login comes back to the profile',
		page.url());
	ok(await page.getByText('Signed in as').isVisible(), 'the page says who is signed in');
	const count = () => page.evaluate(() => ({
		button: document.querySelector('.follow-count').firstChild.nodeValue,
		counter: document.querySelector('.counter-followers').textContent.trim(),
		label: document.querySelector('.follow-form button[type="submit"]').textContent.trim(),
	}));
	const before = await count();
	ok(before.button === '0' && before.counter === '0' && before.label === 'Follow researcher',
		'signed in, not following: 0 followers', JSON.stringify(before));
	await page.evaluate(() => { window.__noReload = 42; });
	const answered = page.waitForResponse((r) => r.url().endsWith('/researchers/sanjeev-arora/follow'),
		{ timeout: 10000 });
	await page.getByRole('button', { name: 'Follow researcher' }).click();
	const resp = await answered;
	ok(resp.status() === 200 && (resp.headers()['content-type'] || '').startsWith('application/json'),
		'the script posts the follow form and gets JSON', `${resp.status()} ${resp.headers()['content-type']}`);
	await page.waitForFunction(() => document.querySelector('.follow-count').firstChild.nodeValue === '1',
		null, { timeout: 5000 }).catch(() => {});
	const after = await count();
	ok(after.button === '1' && after.counter === '1', 'Follow: both counts show 1 at once', JSON.stringify(after));
	ok(after.label === 'Following', 'Follow: the button says Following', after.label);
	ok(await page.evaluate(() => document.activeElement ===
		document.querySelector('.follow-form button[type="submit"]')),
		'Follow: the focus stays on the button', await page.evaluate(() => document.activeElement.outerHTML.slice(0, 80)));
	ok(await page.evaluate(() => window.__noReload === 42), 'Follow: no page reload');
	ok(await page.getByRole('status').filter({ hasText: 'You now follow this researcher.' }).count() === 1,
		'Follow: a status message tells screen readers');
	await page.screenshot({ path: join(ART, 'profile-following-1280.png') });
	await page.reload();
	const stored = await count();
	ok(stored.button === '1' && stored.label === 'Following', 'after a reload the follow is still there',
		JSON.stringify(stored));

	// JavaScript off, as the browser's setting does it (Playwright's
	// javaScriptEnabled: false is this same DevTools switch)
	const cdp = await context.newCDPSession(page);
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
	await page.reload();
	let nav = page.waitForNavigation();
	await page.getByRole('button', { name: 'Following' }).click();
	const r1 = await nav;
	ok(r1 && r1.url().endsWith('/researchers/sanjeev-arora') && r1.status() === 200,
		'JavaScript off: Unfollow posts the form and comes back to the profile (PRG)',
		r1 ? `${r1.status()} ${r1.url()}` : 'no navigation');
	ok(await page.getByText('You no longer follow this researcher.').isVisible(),
		'JavaScript off: the flash message says so');
	ok((await page.locator('.follow-count').innerText()).startsWith('0') &&
		await page.getByRole('button', { name: 'Follow researcher' }).isVisible(),
		'JavaScript off: the count is back to 0');
	nav = page.waitForNavigation();
	await page.getByRole('button', { name: 'Follow researcher' }).click();
	await nav;
	ok((await page.locator('.follow-count').innerText()).startsWith('1') &&
		(await page.locator('.counter-followers').innerText()).trim() === '1',
		'JavaScript off: Follow again gives 1');
	await page.screenshot({ path: join(ART, 'profile-nojs-followed-1280.png') });
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
	ok(problems.length === 0, 'follow: no console error or CSP violation', problems.join('\n'));
	await page.close();
});

// ---- abstracts: a paragraph on a desktop, closed on a phone ---------------------------
await section('abstracts', async () => {
	const { page } = await open('/researchers/sanjeev-arora', DESKTOP);
	const first = page.locator('li.work .abstract').first();
	ok(await first.isVisible(), 'abstracts read as paragraphs at 1280 px');
	ok(!(await page.locator('li.work summary').first().isVisible()), '... without a toggle');
	const tall = await page.evaluate(() => document.documentElement.scrollHeight);
	await page.setViewportSize(PHONE);
	ok(!(await first.isVisible()), 'abstracts are closed at 390 px');
	const short = await page.evaluate(() => document.documentElement.scrollHeight);
	await page.locator('li.work summary').first().click();
	ok(await first.isVisible(), '... and open with their toggle, no script needed');
	console.log(`# profile at 390 px: ${short} px tall with abstracts closed (${(short / 844).toFixed(1)} screens); 1280 px: ${tall} px`);
	await page.close();
});

// ---- the claim journey: errors with JavaScript on and off, then filed, then /me --------
// (demo is signed in from the follow section; zhiyuan-li is unclaimed)
const CLAIMED = '/researchers/zhiyuan-li';
async function fillClaim(page, v) {
	await page.locator('#claim-orcid').fill(v.orcid);
	await page.locator('#claim-email').fill(v.email);
	await page.locator('#claim-evidence').fill(v.url);
	await page.locator('#claim-note').fill(v.note);
}
const BAD = { orcid: 'https://orcid.org/0000-0002-1825-0098', email: 'not-an-address',
	url: 'http://www.princeton.edu/~zl/', note: 'It is me: Zhiyuan.' };
async function checkErrors(page, how) {
	// autofocus is applied at the next rendering update after load, not at
	// load: wait for it (a slow build, ASAN, got there first), then look.
	await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'claim-errors',
		null, { timeout: 5000 }).catch(() => {});
	const st = await page.evaluate(() => {
		const a = document.activeElement;
		const fields = ['claim-orcid', 'claim-email', 'claim-evidence'].map((id) => {
			const f = document.getElementById(id);
			const ids = (f.getAttribute('aria-describedby') || '').split(/\s+/);
			const err = ids.map((i) => document.getElementById(i)).find((e) => e && e.classList.contains('field-error'));
			return { id, invalid: f.getAttribute('aria-invalid'), err: err ? err.textContent : null, value: f.value };
		});
		const links = [...document.querySelectorAll('.error-summary a')].map((l) => l.getAttribute('href'));
		return { focus: a && a.id, fields, links, note: document.getElementById('claim-note').value };
	});
	ok(st.focus === 'claim-errors', `claim (${how}): the focus is on the error summary`, JSON.stringify(st.focus));
	ok(st.links.join() === '#claim-orcid,#claim-email,#claim-evidence',
		`claim (${how}): the summary lists every error, each a link to its field`, st.links.join());
	ok(st.fields.every((f) => f.invalid === 'true' && f.err && f.err.length > 20),
		`claim (${how}): each field is marked invalid and described by its error`, JSON.stringify(st.fields));
	ok(st.fields[0].value === BAD.orcid && st.fields[1].value === BAD.email && st.note === BAD.note,
		`claim (${how}): what was typed is kept`, JSON.stringify(st));
	await page.locator('.error-summary a[href="#claim-email"]').click();
	ok(await page.evaluate(() => document.activeElement.id === 'claim-email'),
		`claim (${how}): a summary link takes the focus to its field`);
}
async function checkPage(page, name, wide = true) {
	const violations = await axeRun(page);
	ok(violations.length === 0, `${name}: axe-core reports no violations`, violations.join('\n'));
	if (wide)
		await page.screenshot({ path: join(ART, `${name}-1280.png`), fullPage: true });
	await page.setViewportSize(PHONE);
	await page.screenshot({ path: join(ART, `${name}-390.png`), fullPage: true });
	const pv = await axeRun(page);
	ok(pv.length === 0, `${name}: axe-core reports no violations at 390 px`, pv.join('\n'));
	await page.setViewportSize(NARROW);
	const n = await noHorizontalScroll(page);
	ok(n.sw <= n.cw && await allInside(page), `${name}: no horizontal scroll at 320 px`,
		JSON.stringify(await outside(page)));
	await page.setViewportSize(DESKTOP);
}
async function validateServed(resp, name) {
	const report = await validator.validateString(await resp.text(), `${name}.html`);
	const msgs = report.results.flatMap((r) => r.messages)
		.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
	ok(report.valid, `${name}: html-validate reports no errors`, msgs.join('\n'));
}

await section('claim', async () => {
	const { page, problems } = await open(CLAIMED, DESKTOP);
	// JavaScript on
	await fillClaim(page, BAD);
	let answered = page.waitForResponse((r) => r.url().endsWith(CLAIMED + '/claim'));
	await page.getByRole('button', { name: 'Claim this profile' }).click();
	let resp = await answered;
	await page.waitForLoadState('load');
	ok(resp.status() === 400, 'claim (script on): refused fields answer 400 with the form', String(resp.status()));
	await validateServed(resp, 'claim-errors');
	await checkErrors(page, 'script on');
	await page.evaluate(() => { document.getElementById('claim-errors').focus({ preventScroll: true }); window.scrollTo(0, 0); });
	await checkPage(page, 'claim-errors');
	for (const [vp, w] of [[DESKTOP, 1280], [PHONE, 390]]) {
		await page.setViewportSize(vp);
		await page.locator('.card.identity').screenshot({ path: join(ART, `claim-errors-form-${w}.png`) });
	}
	await page.setViewportSize(DESKTOP);

	// JavaScript off: the same, from the server alone (autofocus)
	const cdp = await context.newCDPSession(page);
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
	await page.goto(BASE + CLAIMED);
	await fillClaim(page, BAD);
	answered = page.waitForResponse((r) => r.url().endsWith(CLAIMED + '/claim'));
	await page.getByRole('button', { name: 'Claim this profile' }).click();
	resp = await answered;
	await page.waitForLoadState('load');
	ok(resp.status() === 400, 'claim (script off): refused fields answer 400 with the form', String(resp.status()));
	await checkErrors(page, 'script off');

	// filed, JavaScript still off: the ORCID iD as its URL, a long accented note
	await fillClaim(page, { orcid: 'https://orcid.org/0000-0002-1825-0097', email: 'zl@cs.princeton.edu',
		url: 'https://www.cs.princeton.edu/~zl/', note: 'Voilà, c’est bien moi. '.repeat(26) });
	const nav = page.waitForNavigation();
	await page.getByRole('button', { name: 'Claim this profile' }).click();
	const r2 = await nav;
	ok(r2 && r2.url().endsWith(CLAIMED) && r2.status() === 200,
		'claim (script off): filed, back on the profile (PRG)', r2 ? `${r2.status()} ${r2.url()}` : 'none');
	ok(await page.getByText('Your claim was sent for review.').isVisible() &&
		await page.getByText('Your claim is waiting for review.').isVisible(),
		'claim: the profile says it is sent and waiting for review');
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
	await page.reload();
	await page.locator('#identity-h').scrollIntoViewIfNeeded();
	await checkPage(page, 'profile-claim-pending');

	// /me: the claim with its state
	const me = await page.goto(BASE + '/me');
	ok(me.status() === 200, '/me answers 200 signed in', String(me.status()));
	await validateServed(me, 'me');
	ok(await page.locator('.claim-item').filter({ hasText: 'Zhiyuan Li' }).filter({ hasText: 'Waiting for review' }).count() === 1,
		'/me lists the pending claim');
	await page.locator('.claim-item').filter({ hasText: 'Zhiyuan Li' }).getByText('What you sent').click();
	ok(await page.getByText('0000-0002-1825-0097', { exact: true }).isVisible(), '/me: the ORCID iD as kept');
	await checkPage(page, 'me');
	ok(problems.length === 0, 'claim: no console error or CSP violation', problems.join('\n'));
	await page.close();
});

// ---- /me: the researchers followed, and the private feed, script on and off ---------
// (demo follows sanjeev-arora since the follow section)
async function feedStatus(url) {
	// a feed reader: no cookie, no session
	const r = await fetch(url, { redirect: 'manual' });
	return { status: r.status, body: await r.text(), cc: r.headers.get('cache-control') };
}
await section('me follows', async () => {
	const { page, problems } = await open('/me', DESKTOP);
	const item = page.locator('.follow-item').filter({ hasText: 'Sanjeev Arora' });
	ok(await item.count() === 1, '/me lists the researcher followed');
	ok(await item.getByRole('link', { name: 'Sanjeev Arora' }).getAttribute('href') === '/researchers/sanjeev-arora',
		'/me: the name links to the profile');
	const works = await item.locator('.follow-works li').count();
	ok(works >= 1 && works <= 3, '/me: with their newest works, at most 3', `${works} works`);
	ok(await item.getByText(/\d+ works · 1 follower\b/).count() === 1, '/me: works and follower counts');
	await page.locator('#follows-h').scrollIntoViewIfNeeded();
	await checkPage(page, 'me-follows');

	// Script on: make the feed's address, shown once with a Copy button.
	let nav = page.waitForNavigation();
	await page.getByRole('button', { name: 'Make my feed address' }).click();
	let r = await nav;
	ok(r && r.status() === 200 && new URL(r.url()).pathname === '/me',
		'script on: making the feed address comes back to /me (PRG)', r ? `${r.status()} ${r.url()}` : 'none');
	await validateServed(r, 'me-feed-new');
	const url1 = await page.locator('#feed-url').inputValue();
	ok(/\/me\/feed\/[0-9a-f]{48}\.atom$/.test(url1), '/me shows the new address to copy', url1);
	ok(await page.getByText('Your private feed has a new address').isVisible(), '... with a flash message');
	ok(await page.getByRole('button', { name: 'Copy' }).isVisible(), 'script on: a Copy button beside it');
	let f = await feedStatus(url1);
	ok(f.status === 200 && f.body.includes('<feed xmlns="http://www.w3.org/2005/Atom"') &&
		f.body.includes('Sanjeev Arora') && f.cc === 'private, no-store',
		'a feed reader without a cookie reads the feed', `${f.status} ${f.cc}`);
	await page.locator('#feed-h').scrollIntoViewIfNeeded();
	await checkPage(page, 'me-feed-new');
	await page.reload();
	ok(await page.locator('#feed-url').count() === 0 &&
		await page.getByText(/Your feed address was made on \d{4}-\d\d-\d\d/).isVisible(),
		'reloaded, /me no longer shows the address, only that there is one');

	// Script off: a new address, then the feed turned off.
	const cdp = await context.newCDPSession(page);
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
	await page.reload();
	nav = page.waitForNavigation();
	await page.getByRole('button', { name: 'Make a new address' }).click();
	r = await nav;
	ok(r && r.status() === 200, 'script off: a new address, back on /me', r ? String(r.status()) : 'none');
	const url2 = await page.locator('#feed-url').inputValue();
	ok(url2 !== url1 && /\/me\/feed\/[0-9a-f]{48}\.atom$/.test(url2), 'script off: the new address is shown', url2);
	ok(await page.getByRole('button', { name: 'Copy' }).count() === 0, 'script off: no Copy button, the field to copy from');
	f = await feedStatus(url1);
	ok(f.status === 404, 'the old address answers 404 at once', String(f.status));
	ok((await feedStatus(url2)).status === 200, 'the new one works');
	nav = page.waitForNavigation();
	await page.getByRole('button', { name: 'Turn the feed off' }).click();
	await nav;
	ok(await page.getByText('Your private feed is off').isVisible() &&
		await page.getByRole('button', { name: 'Make my feed address' }).isVisible(),
		'script off: the feed turned off, a button to make one again');
	ok((await feedStatus(url2)).status === 404, 'its address answers 404 at once');
	// axe runs in the page: the script back on for it
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
	await checkPage(page, 'me-feed-off', false);
	ok(problems.length === 0, 'me follows: no console error or CSP violation', problems.join('\n'));
	await page.close();
});

// ---- the dispute journey: another signed-in user disputes demo's pending claim ------
// (demo's claim of zhiyuan-li is pending since the claim section)
await section('dispute', async () => {
	const dir2 = mkdtempSync(join(tmpdir(), 'bzpeer-chromium-'));
	const ctx2 = await chromium.launchPersistentContext(dir2, {
		executablePath: CHROMIUM, headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: DESKTOP, timeout: 30000,
		httpCredentials: { username: 'demo2', password: 'demo2' },
	});
	try {
		const page = await ctx2.newPage();
		const problems = [];
		page.on('console', (m) => {
			if (m.type() === 'error' && !(m.location().url.endsWith('/claim') && m.text().includes('status of 400')))
				problems.push(m.text());
		});
		page.on('pageerror', (e) => problems.push(String(e)));
		await page.goto(BASE + '/login?next=' + encodeURIComponent(CLAIMED));
		ok(await page.getByText('Signed in as').isVisible() && page.url().endsWith(CLAIMED),
			'dispute: demo2 is signed in, on the pending profile');
		const summary = page.getByText('Is this your profile? Dispute this claim');
		ok(await summary.isVisible(), 'dispute: the profile offers demo2 the dispute, closed');
		ok(!(await page.getByRole('button', { name: 'Dispute this claim' }).isVisible()), '... its form behind the toggle');

		// Script on: refused evidence comes back with its errors, the dispute open.
		await summary.click();
		await fillClaim(page, BAD);
		let answered = page.waitForResponse((r) => r.url().endsWith(CLAIMED + '/claim'));
		await page.getByRole('button', { name: 'Dispute this claim' }).click();
		let resp = await answered;
		await page.waitForLoadState('load');
		ok(resp.status() === 400, 'dispute (script on): refused fields answer 400 with the form', String(resp.status()));
		await validateServed(resp, 'dispute-errors');
		ok(await page.locator('details.claim-dispute[open]').count() === 1, 'dispute (script on): the dispute stays open');
		await checkErrors(page, 'dispute, script on');
		await page.evaluate(() => { document.getElementById('claim-errors').focus({ preventScroll: true }); });
		await checkPage(page, 'dispute-errors');

		// Script off: the same from the server alone, then filed.
		const cdp = await ctx2.newCDPSession(page);
		await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
		await page.goto(BASE + CLAIMED);
		await page.getByText('Is this your profile? Dispute this claim').click();
		await fillClaim(page, BAD);
		answered = page.waitForResponse((r) => r.url().endsWith(CLAIMED + '/claim'));
		await page.getByRole('button', { name: 'Dispute this claim' }).click();
		resp = await answered;
		await page.waitForLoadState('load');
		ok(resp.status() === 400, 'dispute (script off): refused fields answer 400 with the form', String(resp.status()));
		await checkErrors(page, 'dispute, script off');
		await fillClaim(page, { orcid: '', email: 'zli@math.princeton.edu',
			url: 'https://www.math.princeton.edu/~zli/', note: 'That record is mine, not theirs.' });
		const nav = page.waitForNavigation();
		await page.getByRole('button', { name: 'Dispute this claim' }).click();
		const r2 = await nav;
		ok(r2 && r2.url().endsWith(CLAIMED) && r2.status() === 200,
			'dispute (script off): filed, back on the profile (PRG)', r2 ? `${r2.status()} ${r2.url()}` : 'none');
		ok(await page.getByText('Your dispute was sent for review').isVisible() &&
			await page.getByText('Your dispute of this claim is waiting for review').isVisible(),
			'dispute: the profile says it is sent and waiting, with the claim');
		ok(await page.getByText('Is this your profile? Dispute this claim').count() === 0,
			'dispute: no second dispute offered');
		await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
		await page.reload();
		await page.locator('#identity-h').scrollIntoViewIfNeeded();
		await checkPage(page, 'profile-disputed');
		await page.goto(BASE + '/me');
		ok(await page.locator('.claim-item').filter({ hasText: 'Zhiyuan Li' }).filter({ hasText: 'Waiting for review' }).count() === 1,
			'dispute: /me lists demo2\'s dispute, waiting for review');
		ok(problems.length === 0, 'dispute: no console error or CSP violation', problems.join('\n'));
	} finally {
		await ctx2.close();
		rmSync(dir2, { recursive: true, force: true });
	}
});

// The reviewer's steps: bzpeer-admin on the stack's store (STORE and BUILD from lib.sh).
const admin = (...a) => execFileSync(join(process.env.BUILD, 'bzpeer-admin'),
	['--store', process.env.STORE, ...a], { encoding: 'utf8' });
// The owner's forms answer 400 when refused, as asked: not a console problem.
function refusalsExpected(page, problems) {
	page.removeAllListeners('console');
	page.on('console', (m) => {
		if (m.type() === 'error' && !m.text().includes('status of 400'))
			problems.push(m.text());
	});
}

// ---- the owner's journey: the claim approved, then the profile edited, script on and off --
// (after the dispute: approving demo's claim rejects demo2's dispute with it)
await section('owner', async () => {
	const line = admin('claims', 'list', '--state', 'pending').split('\n')
		.find((l) => l.includes(' zhiyuan-li '));
	ok(!!line, 'owner: demo\'s claim of zhiyuan-li waits for review', line);
	admin('claims', 'approve', line.split(' ')[0]);
	const { page, problems } = await open(CLAIMED, DESKTOP);
	refusalsExpected(page, problems);
	await page.getByRole('link', { name: 'Edit your profile' }).click();
	await page.waitForURL('**' + CLAIMED + '/edit');
	ok(await page.getByRole('heading', { name: 'Edit Zhiyuan Li' }).isVisible(),
		'owner: "Edit your profile" on the profile leads to the edit page');
	const edit = await page.goto(BASE + CLAIMED + '/edit');
	await validateServed(edit, 'owner-edit');
	await checkPage(page, 'owner-edit');

	// script on: a homepage that is not https is refused at its field
	await page.locator('#owner-bio').fill('Optimization and the theory of deep learning.');
	await page.locator('#owner-homepage').fill('javascript:alert(1)');
	let answered = page.waitForResponse((r) => r.url().endsWith(CLAIMED + '/settings'));
	await page.getByRole('button', { name: 'Save' }).click();
	let resp = await answered;
	await page.waitForLoadState('load');
	ok(resp.status() === 400, 'owner (script on): a javascript: homepage answers 400 with the form', String(resp.status()));
	await validateServed(resp, 'owner-errors');
	await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'settings-errors',
		null, { timeout: 5000 }).catch(() => {});
	const st = await page.evaluate(() => {
		const f = document.getElementById('owner-homepage');
		const err = document.getElementById('owner-homepage-error');
		return { focus: document.activeElement && document.activeElement.id, invalid: f.getAttribute('aria-invalid'),
			described: (f.getAttribute('aria-describedby') || '').includes('owner-homepage-error'),
			err: err && err.textContent, bio: document.getElementById('owner-bio').value, value: f.value };
	});
	ok(st.focus === 'settings-errors' && st.invalid === 'true' && st.described && /https/.test(st.err || ''),
		'owner (script on): the error summary has the focus, the field its error', JSON.stringify(st));
	ok(st.bio.startsWith('Optimization') && st.value === 'javascript:alert(1)', 'owner: what was typed is kept', JSON.stringify(st));
	await checkPage(page, 'owner-errors');

	// script off: saved, Post/Redirect/Get, the profile shows it
	const cdp = await context.newCDPSession(page);
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
	await page.goto(BASE + CLAIMED + '/edit');
	await page.locator('#owner-bio').fill('Optimization and the theory of deep learning.');
	await page.locator('#owner-homepage').fill('https://www.cs.princeton.edu/~zl/');
	await page.locator('#owner-open-no').check();
	let nav = page.waitForNavigation();
	await page.getByRole('button', { name: 'Save' }).click();
	let r = await nav;
	ok(r && r.url().endsWith(CLAIMED + '/edit') && r.status() === 200 &&
		await page.getByText('Saved: your profile shows it now.').isVisible(),
		'owner (script off): saved, back on the edit page with the flash (PRG)', r ? `${r.status()} ${r.url()}` : 'none');
	nav = page.waitForNavigation();
	await page.getByRole('button', { name: /^Not mine/ }).first().click();
	await nav;
	ok(await page.getByText('Removed from your profile. You can put it back below.').isVisible() &&
		await page.getByRole('button', { name: /^Put back/ }).count() === 1,
		'owner (script off): "Not mine" removes a work; it can be put back');
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
	await page.reload();
	await checkPage(page, 'owner-edit-removed');
	await page.goto(BASE + CLAIMED);
	ok(await page.getByText('Optimization and the theory of deep learning.').isVisible(),
		'owner: the profile shows the bio line');
	const link = page.locator('.homepage a');
	ok(await link.getAttribute('href') === 'https://www.cs.princeton.edu/~zl/' &&
		await link.getAttribute('rel') === 'nofollow ugc noopener', 'owner: the homepage link, rel=nofollow ugc noopener');
	ok(await page.getByText('Not open to collaboration now').isVisible(), 'owner: not open to collaborate, said');
	await checkPage(page, 'owner-profile');
	nav = page.waitForNavigation();
	await page.goto(BASE + CLAIMED + '/edit');
	await page.getByRole('button', { name: /^Put back/ }).click();
	await page.waitForLoadState('load');
	ok(await page.getByText('Put back on your profile.').isVisible(), 'owner (script on): put back');
	ok(problems.length === 0, 'owner: no console error or CSP violation', problems.join('\n'));
	await page.close();
});

// ---- the duplicate journey: the owner asks to merge another profile, a reviewer approves ----
// (demo owns zhiyuan-li since the owner's journey; yi-zhang is the duplicate)
await section('merge', async () => {
	const DUP = '/researchers/yi-zhang';
	const works = async (path) => {
		const r = await context.request.get(BASE + path + '.json');
		return (await r.json()).works.map((w) => w.id);
	};
	const dupWorks = await works(DUP);
	ok(dupWorks.length > 0, 'merge: the duplicate has works of its own', String(dupWorks.length));
	const { page, problems } = await open(CLAIMED + '/edit', DESKTOP);
	refusalsExpected(page, problems);

	// script on: an address that is not a profile here is refused at its field, the note kept
	await page.locator('#owner-duplicate').fill(BASE + '/researchers/nobody-at-all');
	await page.locator('#owner-mnote').fill('Both profiles are mine: my works were split.');
	let answered = page.waitForResponse((r) => r.url().endsWith(CLAIMED + '/merge'));
	await page.getByRole('button', { name: 'Ask to merge' }).click();
	const resp = await answered;
	await page.waitForLoadState('load');
	ok(resp.status() === 400, 'merge (script on): a profile that is not here answers 400 with the form', String(resp.status()));
	await validateServed(resp, 'owner-merge-errors');
	await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'merge-errors',
		null, { timeout: 5000 }).catch(() => {});
	const st = await page.evaluate(() => {
		const f = document.getElementById('owner-duplicate');
		const err = document.getElementById('owner-duplicate-error');
		return { focus: document.activeElement && document.activeElement.id, invalid: f.getAttribute('aria-invalid'),
			described: (f.getAttribute('aria-describedby') || '').includes('owner-duplicate-error'),
			err: err && err.textContent, value: f.value, note: document.getElementById('owner-mnote').value };
	});
	ok(st.focus === 'merge-errors' && st.invalid === 'true' && st.described && /no profile at that address/.test(st.err || ''),
		'merge (script on): the error summary has the focus, the field its error', JSON.stringify(st));
	ok(st.value.endsWith('/researchers/nobody-at-all') && st.note.startsWith('Both profiles'),
		'merge: what was typed is kept', JSON.stringify(st));
	await page.locator('#merge-errors').scrollIntoViewIfNeeded();
	await checkPage(page, 'owner-merge-errors');

	// script off: asked by the duplicate's address, Post/Redirect/Get, listed as waiting
	const cdp = await context.newCDPSession(page);
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
	await page.goto(BASE + CLAIMED + '/edit');
	await page.locator('#owner-duplicate').fill(BASE + DUP);
	await page.locator('#owner-mnote').fill('Both profiles are mine: my works were split.');
	const nav = page.waitForNavigation();
	await page.getByRole('button', { name: 'Ask to merge' }).click();
	const r = await nav;
	const mine = page.locator('.owner-merge .owner-item');
	ok(r && r.url().endsWith(CLAIMED + '/edit') && r.status() === 200 &&
		await page.getByText('Your request to merge the other profile was sent for review.').isVisible() &&
		(await mine.innerText()).includes('Waiting for review'),
		'merge (script off): sent, back on the edit page with the flash, listed as waiting (PRG)',
		r ? `${r.status()} ${r.url()}` : 'none');
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
	await page.reload();
	await page.locator('.owner-merge').scrollIntoViewIfNeeded();
	await checkPage(page, 'owner-merge-asked');

	// the reviewer approves; the duplicate's address now leads to the owner's profile
	const line = admin('merges', 'list').split('\n').find((l) => / pending from=A5000000007\/yi-zhang into=A5000000002\/zhiyuan-li /.test(l));
	ok(!!line, 'merge: bzpeer-admin merges list shows it pending, from and into', admin('merges', 'list'));
	admin('merges', 'approve', line.split(' ')[0]);
	const landed = await page.goto(BASE + DUP);
	const hop = landed.request().redirectedFrom();
	ok(hop && (await hop.response()).status() === 301 && page.url() === BASE + CLAIMED,
		'merge: the duplicate\'s address answers 301 to the owner\'s profile', page.url());
	ok(await page.getByRole('heading', { level: 1, name: 'Zhiyuan Li' }).isVisible(),
		'merge: the browser lands on the owner\'s profile');
	const joined = await works(CLAIMED);
	ok(dupWorks.every((w) => joined.includes(w)), 'merge: the duplicate\'s works are on the owner\'s profile',
		JSON.stringify({ dupWorks, joined }));
	await checkPage(page, 'owner-merged-profile');
	await page.goto(BASE + CLAIMED + '/edit');
	ok((await mine.innerText()).includes('Merged'), 'merge: the edit page says the request was merged', await mine.innerText());
	ok(problems.length === 0, 'merge: no console error or CSP violation', problems.join('\n'));
	await page.close();
});

// ---- the invitation journey: a visitor invites, the owner accepts on /me, both see the contact ----
// (tianhao-wang is claimed by demo, approved, by 60-browser.sh; demo2 is the
// visitor, in a browser of their own), with JavaScript on, then off.
const INVITED = '/researchers/tianhao-wang';
async function userPage(ctx, js) {
	const page = await ctx.newPage();
	const problems = [];
	page.on('console', (m) => {
		// an invitation form sent back with its errors is a 400, as it should be
		if (m.type() === 'error' && !(m.location().url.endsWith('/invite') && m.text().includes('status of 400')))
			problems.push(m.text());
	});
	page.on('pageerror', (e) => problems.push(String(e)));
	const cdp = await ctx.newCDPSession(page);
	await cdp.send('Emulation.setScriptExecutionDisabled', { value: !js });
	await page.setViewportSize(DESKTOP);
	return { page, problems };
}
await section('invite', async () => {
	const dir2 = mkdtempSync(join(tmpdir(), 'bzpeer-chromium-'));
	const ctx2 = await chromium.launchPersistentContext(dir2, {
		executablePath: CHROMIUM, headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: DESKTOP, timeout: 30000,
		httpCredentials: { username: 'demo2', password: 'demo2' },
	});
	try {
		for (const js of [true, false]) {
			const how = js ? 'script on' : 'script off';
			const subject = `A joint workshop (${how})`;
			const { page: v, problems } = await userPage(ctx2, js);
			await v.goto(BASE + '/login?next=' + encodeURIComponent(INVITED));
			ok(v.url().endsWith(INVITED) && await v.getByText('Tianhao Wang has claimed this author record and accepts direct collaboration invitations.').isVisible(),
				`invite (${how}): the visitor, signed in, reads the seed's unlocked words`, v.url());
			if (js) {
				await v.locator('#direct-h').scrollIntoViewIfNeeded();
				for (const [vp, w] of [[DESKTOP, 1280], [PHONE, 390]]) {
					await v.setViewportSize(vp);
					await v.locator('.card.direct').screenshot({ path: join(ART, `invite-form-${w}.png`) });
				}
				await v.setViewportSize(DESKTOP);
			}
			// refused: no subject; the message kept, escaped, never markup
			await v.locator('#invite-message').fill('Hello <b>there</b>');
			let answered = v.waitForResponse((r) => r.url().endsWith(INVITED + '/invite'));
			await v.getByRole('button', { name: 'Send invitation' }).click();
			const resp = await answered;
			await v.waitForLoadState('load');
			ok(resp.status() === 400, `invite (${how}): no subject answers 400 with the form`, String(resp.status()));
			await v.waitForFunction(() => document.activeElement && document.activeElement.id === 'invite-errors',
				null, { timeout: 5000 }).catch(() => {});
			const st = await v.evaluate(() => {
				const f = document.getElementById('invite-subject');
				const ids = (f.getAttribute('aria-describedby') || '').split(/\s+/);
				const err = ids.map((i) => document.getElementById(i)).find((e) => e && e.classList.contains('field-error'));
				return { focus: document.activeElement && document.activeElement.id, invalid: f.getAttribute('aria-invalid'),
					err: err ? err.textContent : null, message: document.getElementById('invite-message').value,
					links: [...document.querySelectorAll('#invite-errors a')].map((l) => l.getAttribute('href')),
					bold: document.querySelectorAll('.card.direct b').length };
			});
			ok(st.focus === 'invite-errors' && st.links.join() === '#invite-subject',
				`invite (${how}): the focus on the error summary, which links to the field`, JSON.stringify(st));
			ok(st.invalid === 'true' && st.err && st.err.includes('Enter a subject'),
				`invite (${how}): the subject is marked invalid and described by its error`, JSON.stringify(st));
			ok(st.message === 'Hello <b>there</b>' && st.bold === 0, `invite (${how}): what was typed is kept, as text`, JSON.stringify(st));
			if (js) {
				await validateServed(resp, 'invite-errors');
				for (const [vp, w] of [[DESKTOP, 1280], [PHONE, 390]]) {
					await v.setViewportSize(vp);
					await v.locator('.card.direct').screenshot({ path: join(ART, `invite-errors-form-${w}.png`) });
				}
				await v.setViewportSize(DESKTOP);
				await checkPage(v, 'invite-errors');
			}
			// sent: Post/Redirect/Get back to the profile
			await v.locator('#invite-subject').fill(subject);
			await v.locator('#invite-message').fill('Shall we write <script>x</script> together?\nJune suits me.');
			let nav = v.waitForNavigation();
			await v.getByRole('button', { name: 'Send invitation' }).click();
			const r2 = await nav;
			ok(r2 && r2.url().endsWith(INVITED) && r2.status() === 200, `invite (${how}): sent, back on the profile (PRG)`,
				r2 ? `${r2.status()} ${r2.url()}` : 'none');
			ok(await v.getByText('Your invitation was sent.').isVisible() && await v.getByText(/is waiting for an answer/).isVisible(),
				`invite (${how}): the profile says it is sent and waiting`);

			// the owner, on /me: sees it without the sender's name, accepts
			const { page: o, problems: oproblems } = await userPage(context, js);
			const me = await o.goto(BASE + '/me');
			if (js)
				await validateServed(me, 'me-invite-received');
			let item = o.locator('.invite-item').filter({ hasText: subject });
			ok(await item.count() === 1 && (await item.innerText()).includes('Waiting for your answer') &&
				!(await item.innerText()).includes('demo2'),
				`invite (${how}): the owner's /me lists it, waiting, without the sender's contact`);
			ok((await item.innerText()).includes('<script>x</script>') && await o.locator('.invite-item script').count() === 0,
				`invite (${how}): the message is text, never markup`);
			if (js) {
				await item.scrollIntoViewIfNeeded();
				await checkPage(o, 'me-invite-received');
			}
			nav = o.waitForNavigation();
			await item.getByRole('button', { name: 'Accept' }).click();
			await nav;
			ok(/\/me#invitation-\d+$/.test(o.url()) && await o.getByText(/Invitation accepted/).isVisible(),
				`invite (${how}): accepted, back at the invitation on /me, with a flash`, o.url());
			item = o.locator('.invite-item').filter({ hasText: subject });
			ok((await item.innerText()).includes('The sender’s contact: demo2'),
				`invite (${how}): the owner now sees the sender's contact`, await item.innerText());
			if (js)
				await checkPage(o, 'me-invite-accepted');

			// the visitor, on /me: the owner's contact
			await v.goto(BASE + '/me');
			const sent = v.locator('.invite-item').filter({ hasText: subject });
			ok((await sent.innerText()).includes('Accepted') &&
				(await sent.innerText()).includes('The researcher’s contact: tw@cs.princeton.edu'),
				`invite (${how}): the visitor now sees the owner's contact`, await sent.innerText());
			if (js)
				await checkPage(v, 'me-invite-sent');
			ok(problems.length === 0 && oproblems.length === 0, `invite (${how}): no console error or CSP violation`,
				problems.concat(oproblems).join('\n'));
			await v.close();
			await o.close();
		}
	} finally {
		await ctx2.close();
		rmSync(dir2, { recursive: true, force: true });
	}
});

await context.close();
rmSync(userDataDir, { recursive: true, force: true });
console.log(`# ${PAGES.length} pages in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${ART}`);
process.exit(failed);
