/* bzpeer.js: the site's one small, optional script: Follow and Unfollow
 * without a page reload, and a Copy button for a new feed address on /me. The page works fully without it: the follow form is
 * an ordinary POST (Post/Redirect/Get). With it, the same form is sent with
 * fetch() and Accept: application/json, and the answer
 * {"following": bool, "followers": n} updates the button and the counts in
 * place. Anything else (signed out, an expired form, too many requests, no
 * network) falls back to sending the form the ordinary way, so the server's
 * answer is shown as it would be without the script. Loaded with `defer`
 * from /static (CSP script-src 'self'); no inline script, no eval. */
(function () {
	'use strict';

	/* A form shown again with errors: its summary has autofocus, which a
	 * browser may skip (a page restored from history); focus it then. */
	var summary = document.querySelector('.error-summary');

	if (summary && document.activeElement !== summary)
		summary.focus();

	/* /me, a feed address just made: a Copy button beside it (without
	 * the script the field is there to select and copy by hand). */
	(function () {
		var url = document.getElementById('feed-url');
		var b, done;

		if (!url || !navigator.clipboard || !url.parentNode)
			return;
		b = document.createElement('button');
		b.type = 'button';
		b.className = 'btn btn-secondary btn-small';
		b.textContent = 'Copy';
		done = document.createElement('span');
		done.className = 'visually-hidden';
		done.setAttribute('role', 'status');
		b.addEventListener('click', function () {
			navigator.clipboard.writeText(url.value).then(function () {
				b.textContent = 'Copied';
				done.textContent = 'The feed address is copied.';
			}, function () {
				url.select();
			});
		});
		url.parentNode.appendChild(b);
		url.parentNode.appendChild(done);
	}());

	if (!window.fetch || !window.FormData || !window.URLSearchParams)
		return;

	function setCount(el, n) {
		/* the first text node is the figure; a visually hidden label may follow */
		var t = el.firstChild;

		if (t && t.nodeType === 3)
			t.nodeValue = String(n);
		else
			el.insertBefore(document.createTextNode(String(n)), el.firstChild);
	}

	function announce(form, text) {
		var s = form.querySelector('.follow-status');

		if (!s) {
			s = document.createElement('span');
			s.className = 'follow-status visually-hidden';
			s.setAttribute('role', 'status');
			form.appendChild(s);
		}
		s.textContent = text;
	}

	function update(form, d) {
		var button = form.querySelector('button[type="submit"]');
		var action = form.querySelector('input[name="action"]');
		var i, counts;

		if (button) {
			button.textContent = d.following ? 'Following' : 'Follow researcher';
			button.className = d.following ? 'btn btn-secondary' : 'btn btn-primary';
			if (d.following)
				button.setAttribute('aria-pressed', 'true');
			else
				button.removeAttribute('aria-pressed');
		}
		if (action)
			action.value = d.following ? 'unfollow' : 'follow';
		counts = document.querySelectorAll('.follow-count, .counter-followers');
		for (i = 0; i < counts.length; i++)
			setCount(counts[i], d.followers);
		announce(form, d.following ? 'You now follow this researcher.' :
		    'You no longer follow this researcher.');
	}

	document.addEventListener('submit', function (ev) {
		var form = ev.target;
		var button;

		if (!form || !form.classList || !form.classList.contains('follow-form'))
			return;
		ev.preventDefault();
		if (form.getAttribute('data-busy') === '1')
			return;         /* one at a time: the answer is on its way */
		form.setAttribute('data-busy', '1');
		button = form.querySelector('button[type="submit"]');
		/* busy, not disabled: a disabled button loses the focus, and the
		 * keyboard user would be thrown back to the top of the page */
		if (button)
			button.setAttribute('aria-busy', 'true');
		/* not form.action: the form's <input name="action"> shadows it */
		fetch(form.getAttribute('action'), {
			method: 'POST',
			body: new URLSearchParams(new FormData(form)),
			credentials: 'same-origin',
			headers: { 'Accept': 'application/json' }
		}).then(function (r) {
			if (!r.ok)
				throw new Error('HTTP ' + r.status);
			return r.json();
		}).then(function (d) {
			if (typeof d.following !== 'boolean' || typeof d.followers !== 'number')
				throw new Error('unexpected answer');
			form.removeAttribute('data-busy');
			if (button)
				button.removeAttribute('aria-busy');
			update(form, d);
		}).catch(function () {
			/* the ordinary way: the server answers in full (sign-in, errors) */
			form.removeAttribute('data-busy');
			if (button)
				button.removeAttribute('aria-busy');
			HTMLFormElement.prototype.submit.call(form);
		});
	});
}());
