'use client';
import { Feature } from 'flagstage/react';
import type { DemoUser } from '../shared/users';

/**
 * The app's navigation. Gastown's items appear only where the snapshot says the flag is on; that
 * is presentation only (the proxy, layouts, tRPC and the worker enforce). Plain links: every click
 * is a full request, so a flag change shows on the very next navigation.
 */
export function Sidebar({ user }: { user: DemoUser }) {
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">Gastown</div>
      <a href="/" data-testid="nav-home">Home</a>
      <Feature flag="gastown">
        <div className="section">Gastown</div>
        <a href="/gastown" data-testid="nav-gastown">Towns</a>
        <a href="/gastown/new" data-testid="nav-new-town">New town</a>
        <Feature flag="convoys">
          <a href="/gastown/convoys" data-testid="nav-convoys">Convoys</a>
        </Feature>
      </Feature>
      <div className="who" data-testid="signed-in-as">
        {user.name} · {user.orgId ?? 'no org'}
        {user.isAdmin ? ' · admin' : ''}
        <form method="post" action="/api/logout">
          <button type="submit">Sign out</button>
        </form>
      </div>
    </nav>
  );
}
