//! The HTML shell and the routes; the session context every page reads is provided here.
use crate::api::auth::{me, Login, Logout};
use crate::components::auth::AuthContext;
use crate::components::header::Header;
use crate::pages;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::response::set_content_security_policy();
    #[cfg(feature = "ssr")]
    let theme = crate::response::chosen_theme();
    #[cfg(not(feature = "ssr"))]
    let theme: Option<&'static str> = None;
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <meta name="description" content="Support Portal: open and follow support cases, contacts, Remote Assist and replacements."/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let user = Resource::new(|| (), |_| me());
    provide_context(AuthContext {
        user,
        login,
        logout,
    });

    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Support Portal".to_string() } else { format!("{page} · Support Portal") }
        }/>
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Header/>
            <main id="main" class="app-main">
                <Routes fallback=|| view! { <pages::not_found::NotFound/> }>
                    <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/login/code") view=pages::login_code::LoginCodePage ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view=pages::password_reset::ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/reset/:token") view=pages::password_reset::ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/") view=pages::dashboard::DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/cases") view=pages::cases::list::CasesPage ssr=SsrMode::Async/>
                    <Route path=path!("/cases/new") view=pages::cases::new::NewCasePage ssr=SsrMode::Async/>
                    <Route path=path!("/cases/log") view=pages::cases::log::LogCasePage ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id") view=pages::cases::detail::CaseDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("/installed-base") view=pages::installed_base::InstalledBasePage ssr=SsrMode::Async/>
                    <Route path=path!("/contacts") view=pages::contacts::ContactsPage ssr=SsrMode::Async/>
                    <Route path=path!("/invite/:token") view=pages::contacts::InvitePage ssr=SsrMode::Async/>
                    <Route path=path!("/remote-assist") view=pages::remote_assist::RemoteAssistPage ssr=SsrMode::Async/>
                    <Route path=path!("/replacements") view=pages::replacements::ReplacementsPage ssr=SsrMode::Async/>
                    <Route path=path!("/sla") view=pages::sla::SlaPage ssr=SsrMode::Async/>
                    <Route path=path!("/notifications") view=pages::notifications::NotificationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/alerts") view=pages::alerts::AlertsPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <footer class="app-footer">
                <p class="muted">"Support Portal · times are shown in each site's local time zone"</p>
            </footer>
            <crate::components::form_memory::FormMemory/>
        </Router>
    }
}
