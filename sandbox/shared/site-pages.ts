import { html, type SafeHtml } from './html';

/** How one sandbox app looks: its product name in titles and header, and its stylesheet. */
export interface SiteBrand {
  /** Suffix of every page title, e.g. `ClaimsDesk` in "Claims · ClaimsDesk". */
  titleName: string;
  /** The name in the page header. */
  headerName: string;
  style: string;
}

export interface SitePages<TLogin> {
  /** A whole page: the app's header (with who is signed in, if anyone) around `body`. */
  layout(title: string, body: SafeHtml, login?: TLogin): string;
  /** The sign-in form; its test ids are what every bot's login step looks for. */
  loginPage(opts: { error?: string; username?: string; next?: string }): string;
  serverErrorPage(): string;
  notFoundPage(): string;
}

/**
 * The pages all sandbox apps share in markup and test ids, dressed in one app's brand. The bots rely
 * on these markers being the same everywhere, which is why they live in one place.
 */
export function sitePages<TLogin extends { displayName: string }>(brand: SiteBrand, tenantNameOf: (login: TLogin) => string): SitePages<TLogin> {
  const layout = (title: string, body: SafeHtml, login?: TLogin): string => {
    const who = login
      ? html`<span data-testid="signed-in-as">${login.displayName} · ${tenantNameOf(login)}</span> <a href="/logout">Sign out</a>`
      : '';
    return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><title>${title} · ${brand.titleName}</title>
<link rel="icon" href="data:,"><style>${brand.style}</style></head>
<body><header><strong>${brand.headerName}</strong>${who}</header><main>${body}</main></body></html>`}`;
  };
  return {
    layout,
    loginPage(opts) {
      const body = html`<h1>Sign in</h1>
${opts.error ? html`<p class="error" data-testid="login-error">${opts.error}</p>` : ''}
<form method="post" action="/login" data-testid="login-form">
  <input type="hidden" name="next" value="${opts.next ?? ''}">
  <label>User name <input name="username" data-testid="username" autocomplete="username" value="${opts.username ?? ''}"></label>
  <label>Password <input name="password" type="password" data-testid="password" autocomplete="current-password"></label>
  <p><button type="submit" data-testid="login-submit">Sign in</button></p>
</form>`;
      return layout('Sign in', body);
    },
    serverErrorPage: () =>
      layout('Error', html`<h1>Something went wrong</h1><p data-testid="server-error">Internal error. Please try again later.</p>`),
    notFoundPage: () => layout('Not found', html`<h1>Page not found</h1><p data-testid="page-not-found">There is nothing here.</p>`),
  };
}
