// Tell GOV.UK Frontend that JavaScript runs, before the page paints (an external file
// rather than the usual inline snippet, because the CSP allows no inline script).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
