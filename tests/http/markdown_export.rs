//! A review's Markdown export carries no raw HTML and no script links from what people wrote,
//! so a wiki that renders the file runs nothing of theirs.

use escapement_tests::{TestApp, both_backends};
use uuid::Uuid;

use crate::reviews::escape;
use crate::seed;

both_backends!(TestApp: the_markdown_export_carries_no_raw_html_or_script_links);

async fn the_markdown_export_carries_no_raw_html_or_script_links(app: TestApp) {
    let team = seed::team(&app, "Checkout").await;
    let coupon = escape(&app, &team, "Coupon <b onclick=x>total</b> wrong", "high").await;
    let team_id = team.team.to_string();
    let coupon_id = coupon.to_string();
    let response = app
        .post_form(
            "/reviews",
            &[
                ("title", "Checkout <img src=x onerror=alert(1)> outage"),
                ("team_id", team_id.as_str()),
                ("incident_date", "2026-02-11"),
                ("incident_link", ""),
                (
                    "summary",
                    "Coupons **doubled** the total.<script>alert(1)</script>\n\n\
                     See [x](javascript:alert(1)) and [status](https://status.example.com/42).",
                ),
                ("participants", "Dana Reyes (facilitator)"),
                ("defects", coupon_id.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status, 303, "{}", response.body);
    let path = response.redirect_path();
    let review = Uuid::parse_str(path.trim_start_matches("/reviews/")).expect("the review's id");
    let md = app.get(&format!("/reviews/{review}/export.md")).await;
    assert_eq!(md.status, 200);
    let lower = md.body.to_ascii_lowercase();
    for raw in ["<script", "<img", "<b ", "javascript:"] {
        assert!(!lower.contains(raw), "{raw} in the export:\n{}", md.body);
    }
    // What they wrote is still there, as text and as formatting.
    for kept in [
        "Coupons **doubled** the total.&lt;script&gt;alert(1)&lt;/script&gt;",
        "See x and [status](https://status.example.com/42).",
        "Checkout &lt;img src=x onerror=alert(1)&gt; outage",
        "Coupon &lt;b onclick=x&gt;total&lt;/b&gt; wrong",
    ] {
        assert!(md.body.contains(kept), "{kept} missing from:\n{}", md.body);
    }
}
