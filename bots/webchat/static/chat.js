/* global window, document, navigator, fetch, URL, URLSearchParams, console -- runs in the browser */
// Starts Bot Framework Web Chat against the Direct Line endpoint described by /webchat/config.json:
// the local endpoint of this server (mode "local") or Azure Direct Line (mode "azure", token from our server).
(function () {
  'use strict';

  var LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
  var TEXT = {
    en: { subtitle: 'Customer care', failed: 'The chat could not start. Please reload the page in a moment.' },
    fr: { subtitle: 'Service client', failed: 'Le chat n\u2019a pas pu d\u00e9marrer. Rechargez la page dans un instant.' },
  };

  function pickLocale(config) {
    var requested = new URLSearchParams(window.location.search).get('locale');
    if (requested && LOCALE.test(requested)) return requested;
    if (navigator.language && LOCALE.test(navigator.language)) return navigator.language;
    return config.locale || 'en-US';
  }

  function texts(locale) {
    return TEXT[locale.slice(0, 2).toLowerCase()] || TEXT.en;
  }

  // An agent's message relayed by the bot carries channelData.warmline = { sender: 'agent', agentName }: it gets the
  // agent's initials as avatar and the agent's name beside its time; the bot's own messages keep the bot's avatar.
  function agentName(activity) {
    var from = activity && activity.from;
    var warmline = from && from.role === 'bot' && activity.channelData && activity.channelData.warmline;
    if (!warmline || warmline.sender !== 'agent' || typeof warmline.agentName !== 'string') return '';
    return warmline.agentName.trim().slice(0, 80);
  }

  function initials(name) {
    var words = name.split(/\s+/).filter(Boolean);
    var first = Array.from(words[0] || '')[0] || '';
    var last = words.length > 1 ? Array.from(words[words.length - 1])[0] : '';
    return (first + last).toUpperCase();
  }

  // Web Chat's documented middleware props; React is the one Web Chat uses (window.React, loaded before it).
  function agentMiddleware() {
    var h = window.React && window.React.createElement;
    if (!h) return {};
    return {
      avatarMiddleware: function () {
        return function (next) {
          return function (args) {
            var name = !args.fromUser && agentName(args.activity);
            if (!name) return next(args);
            return function () {
              return h('div', { className: 'warmline-agent-avatar', 'aria-hidden': 'true', title: name }, initials(name));
            };
          };
        };
      },
      activityStatusMiddleware: function () {
        return function (next) {
          return function (args) {
            var status = next(args);
            var name = agentName(args.activity);
            if (!name) return status;
            return h('span', { className: 'warmline-agent-status' }, h('span', { className: 'warmline-agent-name' }, name), status ? ' \u00b7 ' : null, status || null);
          };
        };
      },
      // Web Chat groups consecutive messages of one role under one avatar: an agent's are a group of their own.
      groupActivitiesMiddleware: function () {
        return function (next) {
          return function (args) {
            var groups = next(args);
            var sender = [];
            args.activities.forEach(function (activity, i) {
              var previous = args.activities[i - 1];
              var same = previous && previous.from.role === activity.from.role && agentName(previous) === agentName(activity);
              if (same) sender[sender.length - 1].push(activity);
              else sender.push([activity]);
            });
            return Object.assign({}, groups, { sender: sender });
          };
        };
      },
    };
  }

  function fail(locale) {
    var status = document.getElementById('status');
    status.textContent = texts(locale).failed;
    status.hidden = false;
  }

  async function start() {
    var locale = navigator.language || 'en-US';
    try {
      var configResponse = await fetch('/webchat/config.json', { cache: 'no-store' });
      if (!configResponse.ok) throw new Error('config ' + configResponse.status);
      var config = await configResponse.json();
      locale = pickLocale(config);
      document.documentElement.lang = locale;
      document.getElementById('subtitle').textContent = texts(locale).subtitle;

      var tokenResponse = await fetch(config.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ locale: locale }),
      });
      if (!tokenResponse.ok) throw new Error('token ' + tokenResponse.status);
      var session = await tokenResponse.json();

      var domain = new URL(config.domain, window.location.href).href.replace(/\/+$/, '');
      var directLine = window.WebChat.createDirectLine({ domain: domain, token: session.token, webSocket: true });
      window.WebChat.renderWebChat(
        Object.assign(
          {
            directLine: directLine,
            locale: locale,
            styleOptions: { hideUploadButton: true, botAvatarInitials: 'W', userAvatarInitials: '', bubbleBorderRadius: 8 },
          },
          agentMiddleware(),
        ),
        document.getElementById('webchat'),
      );
    } catch (err) {
      fail(locale);
      console.error('Warmline web chat failed to start', err && err.message);
    }
  }

  start();
})();
