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
        {
          directLine: directLine,
          locale: locale,
          styleOptions: { hideUploadButton: true, botAvatarInitials: 'W', userAvatarInitials: '', bubbleBorderRadius: 8 },
        },
        document.getElementById('webchat'),
      );
    } catch (err) {
      fail(locale);
      console.error('Warmline web chat failed to start', err && err.message);
    }
  }

  start();
})();
