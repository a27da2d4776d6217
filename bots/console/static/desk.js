/* global document, fetch, EventSource, setTimeout, clearTimeout, setInterval, crypto -- runs in the browser */
// Warmline agent console. Plain script, no build step, no CDN. Everything the customer or an agent wrote is put
// on the page with textContent, never as HTML.
(function () {
  'use strict';

  var state = {
    agent: null,
    csrf: '',
    status: 'online',
    queue: [],
    mine: [],
    selectedId: null,
    view: null,
    earlier: [],
    live: {}, // caseId -> [{from, text, at}]
    pending: null, // {caseId, text, id}: the reply being sent, with its idempotency id
    unread: {}, // caseId -> count
    events: null,
    takenBy: null,
    retries: 0, // reconnection attempts since the last stream opened
    closedOpen: false, // the "closed recently" list is shown
  };

  var $ = function (id) {
    return document.getElementById(id);
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  var toastTimer;
  var resumeTimer = null; // a pending reconnection (see resume)
  // The message takes its own line under the top bar (in the page's flow), so it never covers a field.
  function toast(message) {
    var t = $('toast');
    t.textContent = message;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      t.hidden = true;
    }, 3500);
  }

  function waited(iso) {
    var s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    var h = Math.floor(m / 60);
    return h + ' h ' + String(m % 60).padStart(2, '0');
  }

  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  var LANGUAGES = { en: 'English', fr: 'French' };
  var CHANNELS = { webchat: 'Web chat', directline: 'Web chat', msteams: 'Teams', slack: 'Slack' };
  var label = function (map, key) {
    return map[key] || key;
  };
  var humanise = function (s) {
    return String(s).replace(/_/g, ' ');
  };

  // ---- HTTP

  function api(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      headers['X-CSRF-Token'] = state.csrf;
    }
    return fetch(path, {
      method: method,
      headers: headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (res) {
      if (res.status === 401 && path.indexOf('/desk/api/') === 0) {
        showLogin('Your session ended. Please sign in again.');
        throw new Error('unauthorized');
      }
      if (res.status === 204) return { status: 204, body: {} };
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          return { status: res.status, body: json };
        });
    });
  }

  // ---- views

  function showLogin(message) {
    if (state.events) state.events.close();
    state.events = null;
    clearTimeout(resumeTimer);
    resumeTimer = null;
    state.agent = null;
    $('desk-view').hidden = true;
    $('me').hidden = true;
    $('login-view').hidden = false;
    $('login-error').textContent = message || '';
    $('login-id').focus();
  }

  // The agent's presence, in the state and on the page (the select and the dot).
  function showStatus(status) {
    state.status = status;
    $('presence').value = status;
    $('presence-dot').classList.toggle('away', status === 'away');
  }

  function showDesk(session) {
    state.agent = session.agent;
    state.csrf = session.csrfToken;
    $('login-view').hidden = true;
    $('desk-view').hidden = false;
    $('me').hidden = false;
    $('agent-name').textContent = session.agent.name;
    showStatus(session.status || 'online');
    connect();
    refreshQueue();
  }

  function caseItem(c, isMine) {
    var li = el('li');
    var button = el('button', 'case-item');
    button.type = 'button';
    button.dataset.caseId = c.id;
    if (c.id === state.selectedId) button.setAttribute('aria-current', 'true');
    var badge = el('span', 'badge ' + c.priority, c.priority);
    var reason = el('span', 'reason', humanise(c.reason));
    var right = isMine && state.unread[c.id] ? el('span', 'unread', state.unread[c.id]) : el('span', 'wait', waited(c.waitingSince));
    if (!isMine) right.dataset.since = c.waitingSince;
    var line2 = el(
      'span',
      'line2',
      [c.id, label(LANGUAGES, c.language), label(CHANNELS, c.channel), c.customerName || ''].filter(Boolean).join(' · '),
    );
    button.append(badge, reason, right, line2);
    button.setAttribute(
      'aria-label',
      c.priority + ' priority, ' + humanise(c.reason) + ', ' + c.id + (isMine ? ', yours' : ', waiting ' + waited(c.waitingSince)),
    );
    button.addEventListener('click', function () {
      select(c.id);
    });
    li.appendChild(button);
    return li;
  }

  function renderQueue() {
    var mine = $('mine-list');
    var queue = $('queue-list');
    clear(mine);
    clear(queue);
    state.mine.forEach(function (c) {
      mine.appendChild(caseItem(c, true));
    });
    state.queue.forEach(function (c) {
      queue.appendChild(caseItem(c, false));
    });
    $('mine-count').textContent = state.mine.length;
    $('queue-count').textContent = state.queue.length;
    $('queue-empty').hidden = state.queue.length > 0;
    document.title = (state.queue.length ? '(' + state.queue.length + ') ' : '') + 'Warmline · Agent console';
  }

  function closedItem(c) {
    var li = el('li');
    var button = el('button', 'case-item');
    button.type = 'button';
    button.dataset.caseId = c.id;
    if (c.id === state.selectedId) button.setAttribute('aria-current', 'true');
    var rating = c.satisfaction ? 'rated ' + c.satisfaction + '/5' : 'not rated';
    button.append(
      el('span', 'badge ' + c.priority, c.priority),
      el('span', 'reason', humanise(c.reason)),
      el('span', 'wait', rating),
      el('span', 'line2', [c.id, c.customerName, humanise(c.state) + ' by ' + c.closedBy, new Date(c.closedAt).toLocaleString()].filter(Boolean).join(' · ')),
    );
    if (c.notes.length) button.append(el('span', 'closed-note', 'Note: ' + c.notes.join(' / ')));
    button.setAttribute('aria-label', humanise(c.reason) + ', ' + c.id + ', ' + humanise(c.state) + ' by ' + c.closedBy + ', ' + rating);
    button.addEventListener('click', function () {
      select(c.id);
    });
    li.appendChild(button);
    return li;
  }

  // Recently closed cases (kept within the retention), with the team's notes and the customer's rating.
  function refreshClosed() {
    if (!state.closedOpen) return Promise.resolve();
    return api('GET', '/desk/api/closed').then(function (r) {
      if (r.status !== 200 || !state.closedOpen) return;
      var list = $('closed-list');
      clear(list);
      r.body.closed.forEach(function (c) {
        list.appendChild(closedItem(c));
      });
      $('closed-empty').hidden = r.body.closed.length > 0;
    }, function () {});
  }

  function refreshQueue() {
    return api('GET', '/desk/api/queue').then(function (r) {
      if (r.status !== 200) return;
      state.queue = r.body.queue;
      state.mine = r.body.mine;
      renderQueue();
    }, function () {});
  }

  function isMine(view) {
    return !!(view && view.state === 'assigned' && view.agent && state.agent && view.agent.id === state.agent.id && view.agent.channel === 'console');
  }

  function message(from, text, at, who) {
    var li = el('li', 'msg ' + from);
    li.appendChild(el('span', 'who', who + (at ? ' · ' + clock(at) : '')));
    li.appendChild(document.createTextNode(text));
    return li;
  }

  var WHO = { customer: 'Customer', bot: 'Bot', agent: 'Agent', system: 'System' };

  function renderLog() {
    var log = $('log');
    var view = state.view;
    clear(log);
    view.transcript.forEach(function (t) {
      log.appendChild(message(t.role, t.text, t.at, WHO[t.role] || t.role));
    });
    if (view.waitingMessages.length) {
      log.appendChild(el('li', 'divider', 'Written while waiting'));
      view.waitingMessages.forEach(function (m) {
        log.appendChild(message('customer', m.text, m.at, 'Customer'));
      });
    }
    var live = state.live[view.id] || [];
    var mine = isMine(view);
    if (live.length) log.appendChild(el('li', 'divider', mine ? 'Live with you' : 'Live chat'));
    live.forEach(function (m) {
      log.appendChild(message(m.from, m.text, m.at, m.from === 'agent' && mine ? 'You' : WHO[m.from] || m.from));
    });
    view.notes.forEach(function (n) {
      log.appendChild(message('system', 'Note by ' + n.by + ': ' + n.text, n.at, 'Note'));
    });
    log.scrollTop = log.scrollHeight;
  }

  function renderCase() {
    var view = state.view;
    $('case-empty').hidden = !!view;
    $('case').hidden = !view;
    if (!view) return;
    $('case-title').textContent = view.id + ' · ' + humanise(view.reason);
    $('case-meta').textContent = [
      view.priority + ' priority',
      label(LANGUAGES, view.language),
      label(CHANNELS, view.channel),
      view.customerName,
      view.state === 'queued' ? 'waiting ' + waited(view.waitingSince) : humanise(view.state),
      view.satisfaction ? 'rated ' + view.satisfaction + '/5' : '',
    ]
      .filter(Boolean)
      .join(' · ');
    var mine = isMine(view);
    var claimable = view.state === 'queued' || view.state === 'timed_out' || view.state === 'callback_requested';
    $('accept').hidden = !claimable;
    var owner = view.agent && !mine ? (view.agent.name || view.agent.id) + ' has this case' : mine ? 'Yours' : '';
    if (state.takenBy && !mine) owner = state.takenBy + ' has this case';
    $('case-owner').textContent = view.state === 'resolved' ? 'Closed' : owner;
    $('reply-form').hidden = !mine;
    $('close-form').hidden = !mine;

    // One fact per line ("Wants: ...", "Bot: ...", "Why: ..."), never one paragraph.
    var summary = $('summary');
    clear(summary);
    var hasWhy = false;
    (view.summary || '(no summary)').split('\n').forEach(function (line) {
      var m = /^([^:]{1,24}?)\s?:\s+(\S[\s\S]*)$/.exec(line.trim());
      if (!line.trim()) return;
      if (!m) return summary.appendChild(el('dd', 'line', line.trim()));
      if (/^(who|qui)$/i.test(m[1])) return; // the header already names the customer
      if (/^(why|pourquoi)$/i.test(m[1])) hasWhy = true;
      summary.appendChild(el('dt', '', m[1]));
      summary.appendChild(el('dd', '', m[2]));
    });
    $('explanation').textContent = hasWhy ? '' : 'Why: ' + (view.why || '');

    var chips = $('signals');
    clear(chips);
    if (!view.signals.length) chips.appendChild(el('li', 'muted', 'No signal stood out.'));
    view.signals.forEach(function (s) {
      var chip = el('li', 'chip ' + s.kind);
      chip.appendChild(document.createTextNode(humanise(s.name) + ' ' + Math.round(s.score * 100) + '%'));
      if (s.evidence.length) chip.appendChild(el('span', 'ev', ' “' + s.evidence.join('”, “') + '”'));
      chips.appendChild(chip);
    });

    var dl = $('collected');
    clear(dl);
    var keys = Object.keys(view.collected);
    if (!keys.length) dl.appendChild(el('dd', 'muted', 'Nothing collected yet.'));
    keys.forEach(function (k) {
      dl.appendChild(el('dt', '', humanise(k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())));
      dl.appendChild(el('dd', '', view.collected[k]));
    });

    var earlier = $('earlier');
    clear(earlier);
    if (!state.earlier.length) earlier.appendChild(el('li', 'muted', 'First contact.'));
    state.earlier.forEach(function (c) {
      earlier.appendChild(el('li', '', c.id + ' · ' + humanise(c.reason) + ' · ' + humanise(c.state) + ' · ' + new Date(c.waitingSince).toLocaleDateString()));
    });

    renderLog();
  }

  function loadCase(id) {
    return api('GET', '/desk/api/cases/' + encodeURIComponent(id)).then(function (r) {
      if (id !== state.selectedId) return;
      if (r.status !== 200) {
        state.view = null;
        renderCase();
        toast(r.body.message || 'The case could not be opened.');
        return;
      }
      state.view = r.body.case;
      state.earlier = r.body.earlier;
      // The case holds the live chat (so a reload shows it); keep the streamed lines newer than the record.
      var record = (state.view.liveChat || []).map(function (l) {
        return { from: l.role, text: l.text, at: l.at };
      });
      var last = record.length ? record[record.length - 1].at : '';
      var newer = (state.live[id] || []).filter(function (m) {
        return m.at > last;
      });
      state.live[id] = record.concat(newer);
      renderCase();
    }, function () {});
  }

  function select(id) {
    if (state.selectedId !== id) state.takenBy = null;
    state.selectedId = id;
    delete state.unread[id];
    renderQueue();
    loadCase(id).then(function () {
      if (isMine(state.view)) $('reply').focus();
      else if (!$('accept').hidden) $('accept').focus();
    });
  }

  function allCases() {
    return state.mine.concat(state.queue);
  }

  // ---- live events

  // Why the server ended the stream (the data of its `end` event): only `signed_out` (signed out, on this instance or
  // another, or expired) means the session is over. Anything else, `shutdown` above all (the instance is stopping:
  // a restart, a rolling deploy), leaves the session alive in the shared store.
  function endReason(e) {
    try {
      var data = JSON.parse(e.data);
      return data && typeof data.reason === 'string' ? data.reason : '';
    } catch {
      return '';
    }
  }

  // The delay before reconnection attempt n (from 0): 0.5-1.5 s, then doubling up to 30 s. Randomised, so the
  // consoles of an instance that stops do not all come back at the same moment.
  function resumeDelay(n) {
    return Math.round(Math.min(30000, 1000 * Math.pow(2, Math.min(n, 5)) * (0.5 + Math.random())));
  }

  // The stream is gone but the session may live: after a short pause, ask the server (through the load balancer: any
  // instance) whether it does, then reopen the stream and catch up on what was missed meanwhile. A 401 shows the
  // sign-in form (api does that); no answer or another error tries again later, waiting longer each time.
  function resume() {
    if (!state.agent || resumeTimer) return;
    var wait = resumeDelay(state.retries++);
    resumeTimer = setTimeout(function () {
      resumeTimer = null;
      if (!state.agent) return;
      api('GET', '/desk/api/session').then(function (r) {
        if (!state.agent) return;
        if (r.status !== 200) return resume();
        if (r.body.csrfToken) state.csrf = r.body.csrfToken;
        connect();
        refreshQueue();
        if (state.selectedId) loadCase(state.selectedId);
      }, function () {
        resume(); // no answer (still restarting), or 401 (then state.agent is gone and nothing happens)
      });
    }, wait);
  }

  function connect() {
    if (state.events) state.events.close();
    var source = new EventSource('/desk/api/events');
    state.events = source;
    source.addEventListener('ready', function () {
      state.retries = 0;
    });
    source.addEventListener('queue', refreshQueue);
    source.addEventListener('case', function (e) {
      var data = JSON.parse(e.data);
      refreshQueue();
      if (data.state === 'resolved' || data.state === 'abandoned') refreshClosed();
      if (data.caseId === state.selectedId) loadCase(data.caseId);
    });
    // The agent's status changed in another console of theirs (this instance or another): show it here too.
    source.addEventListener('presence', function (e) {
      var data = JSON.parse(e.data);
      if (data.status === 'online' || data.status === 'away') showStatus(data.status);
    });
    // New lines on a case held elsewhere or written while it waits: only a console showing that case reloads it.
    source.addEventListener('lines', function (e) {
      var data = JSON.parse(e.data);
      if (data.caseId === state.selectedId) loadCase(data.caseId);
    });
    source.addEventListener('message', function (e) {
      var m = JSON.parse(e.data);
      (state.live[m.caseId] = state.live[m.caseId] || []).push({ from: m.from, text: m.text, at: m.at });
      if (state.view && m.caseId === state.view.id) renderLog();
      else if (m.from === 'customer') {
        state.unread[m.caseId] = (state.unread[m.caseId] || 0) + 1;
        renderQueue();
      }
    });
    source.addEventListener('end', function (e) {
      source.close();
      if (state.events !== source) return;
      state.events = null;
      if (endReason(e) === 'signed_out') showLogin('You were signed out.');
      else resume();
    });
    source.onerror = function () {
      // EventSource reconnects by itself; when it gives up (the session is gone, or the server refused the stream)
      // ask the server what happened.
      if (source.readyState === EventSource.CLOSED && state.events === source) {
        state.events = null;
        resume();
      }
    };
  }

  // ---- actions

  $('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var id = $('login-id').value.trim();
    var password = $('login-password').value;
    if (!id || !password) {
      $('login-error').textContent = 'Enter your agent id and password.';
      return;
    }
    api('POST', '/desk/login', { id: id, password: password }).then(function (r) {
      $('login-password').value = '';
      if (r.status === 200) return showDesk(r.body);
      $('login-error').textContent = r.body.message || 'Sign-in failed.';
    }, function () {
      $('login-error').textContent = 'The server did not answer.';
    });
  });

  $('closed-toggle').addEventListener('click', function () {
    state.closedOpen = !state.closedOpen;
    $('closed-toggle').setAttribute('aria-expanded', String(state.closedOpen));
    $('closed-list').hidden = !state.closedOpen;
    if (state.closedOpen) refreshClosed();
    else $('closed-empty').hidden = true;
  });

  $('logout').addEventListener('click', function () {
    api('POST', '/desk/api/logout').then(function () {
      showLogin('Signed out.');
    }, function () {});
  });

  $('presence').addEventListener('change', function () {
    var status = $('presence').value;
    api('POST', '/desk/api/presence', { status: status }).then(function (r) {
      if (r.status !== 200) {
        showStatus(state.status); // the select goes back to the status the agent still has
        return toast('Presence not changed.');
      }
      showStatus(status);
      toast(status === 'online' ? 'You are online: new cases can reach you.' : 'You are away.');
    }, function () {
      showStatus(state.status);
      toast('Presence not changed.');
    });
  });

  function accept() {
    var id = state.selectedId;
    if (!id || $('accept').hidden) return;
    $('accept').disabled = true;
    api('POST', '/desk/api/cases/' + encodeURIComponent(id) + '/accept').then(function (r) {
      $('accept').disabled = false;
      if (r.status === 200) {
        state.view = r.body.case;
        renderCase();
        refreshQueue();
        toast('Case ' + id + ' is yours.');
        $('reply').focus();
      } else if (r.body.error === 'Taken') {
        state.takenBy = r.body.by.name;
        toast(r.body.message);
        loadCase(id);
      } else toast(r.body.message || 'The case could not be accepted.');
    }, function () {
      $('accept').disabled = false;
    });
  }
  $('accept').addEventListener('click', accept);

  // Each message has an id the server is idempotent on: a retry after a lost answer or a restart is sent once.
  function messageId() {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function sendReply() {
    var text = $('reply').value.trim();
    var id = state.selectedId;
    if (!text || !id) return;
    // The same text to the same case keeps its id until it is sent: pressing Send again cannot send it twice.
    if (!state.pending || state.pending.caseId !== id || state.pending.text !== text) state.pending = { caseId: id, text: text, id: messageId() };
    var pending = state.pending;
    var attempt = 0;
    function post() {
      attempt += 1;
      api('POST', '/desk/api/cases/' + encodeURIComponent(id) + '/messages', { text: text, id: pending.id }).then(function (r) {
        if (r.status === 202) {
          if (state.pending === pending) state.pending = null;
          if ($('reply').value.trim() === text) $('reply').value = '';
        } else if ((r.status === 503 || r.status === 502 || r.status === 504) && attempt < 5) {
          setTimeout(post, 1000 * attempt);
        } else toast(r.body.message || 'Not sent.');
      }, function (err) {
        if (err && err.message === 'unauthorized') return;
        if (attempt < 5) setTimeout(post, 1000 * attempt);
        else toast('Not sent: the server did not answer. Press Send to try again.');
      });
    }
    post();
  }
  $('reply-form').addEventListener('submit', function (e) {
    e.preventDefault();
    sendReply();
  });
  $('reply').addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendReply();
    }
  });

  $('close-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var id = state.selectedId;
    var note = $('close-note').value.trim();
    api('POST', '/desk/api/cases/' + encodeURIComponent(id) + '/close', note ? { note: note } : {}).then(function (r) {
      if (r.status !== 200) return toast(r.body.message || 'The case could not be closed.');
      $('close-note').value = '';
      toast('Case ' + id + ' closed. The customer is back with the bot.');
      delete state.live[id];
      state.selectedId = null;
      state.view = null;
      renderCase();
      refreshQueue();
      refreshClosed();
    }, function () {});
  });

  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (!state.agent || e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
    var cases = allCases();
    var index = cases.findIndex(function (c) {
      return c.id === state.selectedId;
    });
    if (e.key === 'j' || e.key === 'k') {
      if (!cases.length) return;
      var next = e.key === 'j' ? Math.min(cases.length - 1, index + 1) : Math.max(0, index - 1);
      select(cases[next].id);
      var button = document.querySelector('[data-case-id="' + cases[next].id + '"]');
      if (button) button.focus();
    } else if (e.key === 'a') accept();
    else if (e.key === 'r' && !$('reply-form').hidden) {
      e.preventDefault();
      $('reply').focus();
    }
  });

  // Waiting times tick without asking the server.
  setInterval(function () {
    var nodes = document.querySelectorAll('[data-since]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = waited(nodes[i].dataset.since);
  }, 1000);

  // Asked first, before anyone signed in: answers 200 either way (a 401 here would be logged by the browser).
  fetch('/desk/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (res) {
    if (res.status !== 200) return showLogin(res.status === 503 ? 'Sign-in is not available right now; try again shortly.' : '');
    return res.json().then(function (session) {
      if (session && session.signedIn) showDesk(session);
      else showLogin('');
    });
  }, function () {
    showLogin('The server did not answer.');
  });
})();
