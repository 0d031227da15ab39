//! Markdown written by people (review summaries), rendered to HTML that cannot carry
//! markup or scripts of its own: raw HTML is shown as text, images become links, and
//! links keep only web, mail and same-site addresses; the same rules applied to Markdown
//! that leaves the app as Markdown (a review's `export.md`); and text from people as
//! Markdown that shows it literally (the quarterly report, the backlog checklist).

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

/// The Markdown extensions the app reads people's text with.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
        || (lower.starts_with('/') && !lower.starts_with("//"))
        || lower.starts_with('#')
}

fn checked(url: CowStr<'_>) -> CowStr<'_> {
    if safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

/// Text from people (names, titles) as Markdown shows it literally: one line, every character
/// Markdown or a pipe table gives a meaning escaped with a backslash.
#[must_use]
pub fn literal(raw: &str) -> String {
    let flat = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len());
    for c in flat.chars() {
        if matches!(
            c,
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as HTML safe to embed in a page.
#[must_use]
pub fn to_safe_html(text: &str) -> String {
    let events = Parser::new_ext(text, options()).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: checked(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: checked(dest_url),
            title,
            id,
        }),
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Raw HTML as text: its angle brackets as character references, which every Markdown
/// renderer shows as the characters themselves.
fn html_as_text(raw: &str) -> String {
    raw.replace('<', "&lt;").replace('>', "&gt;")
}

/// A link or image being read, until its end shows whether it is kept.
struct OpenLink {
    whole: Range<usize>,
    label: Option<Range<usize>>,
    safe: bool,
    autolink: bool,
}

/// `text` as Markdown that keeps its formatting but, in any renderer, runs nothing: raw HTML
/// is turned into text, and a link or image to anything but a web, mail or same-site address
/// keeps only its words (an autolink, whose words are the address, is dropped), as
/// [`to_safe_html`] treats them on the page. Reference definitions to such addresses go too.
#[must_use]
pub fn to_safe_markdown(text: &str) -> String {
    let parser = Parser::new_ext(text, options());
    let mut edits: Vec<(Range<usize>, String)> = parser
        .reference_definitions()
        .iter()
        .filter(|(_, def)| !safe_url(&def.dest))
        .map(|(_, def)| (def.span.clone(), String::new()))
        .collect();
    let mut open: Vec<OpenLink> = Vec::new();
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) => {
                widen_label(&mut open, &range);
                open.push(OpenLink {
                    whole: range,
                    label: None,
                    safe: safe_url(&dest_url),
                    autolink: matches!(link_type, LinkType::Autolink | LinkType::Email),
                });
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let Some(link) = open.pop() else { continue };
                if !link.safe {
                    let words = match (&link.label, link.autolink) {
                        (Some(label), false) => to_safe_markdown(&text[label.clone()]),
                        _ => String::new(),
                    };
                    edits.push((link.whole, words));
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                widen_label(&mut open, &range);
                edits.push((range.clone(), html_as_text(&text[range])));
            }
            _ => widen_label(&mut open, &range),
        }
    }
    // An edit inside one already made (HTML in a dropped link's words) is part of it.
    edits.sort_by_key(|(range, _)| (range.start, std::cmp::Reverse(range.end)));
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (range, replacement) in edits {
        if range.start < done {
            continue;
        }
        out.push_str(&text[done..range.start]);
        out.push_str(&replacement);
        done = range.end;
    }
    out.push_str(&text[done..]);
    out
}

/// Counts `range` into the words of the innermost link being read.
fn widen_label(open: &mut [OpenLink], range: &Range<usize>) {
    if let Some(link) = open.last_mut() {
        link.label = Some(match link.label.take() {
            Some(label) => label.start.min(range.start)..label.end.max(range.end),
            None => range.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{to_safe_html, to_safe_markdown};

    #[test]
    fn safe_markdown_keeps_formatting_and_safe_links() {
        let text = "Coupons **doubled** the total; see [status](https://status.example.com/1).\n\n- one\n- two\n";
        assert_eq!(to_safe_markdown(text), text);
    }

    #[test]
    fn safe_markdown_turns_raw_html_into_text() {
        let out = to_safe_markdown(
            "Before <script>alert(1)</script> after\n\n<div onclick=x>\nblock\n</div>\n",
        );
        assert!(!out.contains('<'), "{out}");
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{out}"
        );
        assert!(out.contains("&lt;div onclick=x&gt;"), "{out}");
    }

    #[test]
    fn safe_markdown_keeps_only_the_words_of_unsafe_links() {
        for (bad, words) in [
            ("[x](javascript:alert(1))", "x"),
            ("[**Click** me](JavaScript:alert(1))", "**Click** me"),
            ("![graph](data:text/html,x)", "graph"),
            ("<javascript:alert(1)>", ""),
            ("[x][evil]\n\n[evil]: javascript:alert(1)\n", "x"),
        ] {
            let out = to_safe_markdown(bad);
            assert!(
                !out.to_ascii_lowercase().contains("javascript:"),
                "{bad}: {out}"
            );
            assert!(!out.contains("data:"), "{bad}: {out}");
            assert!(out.trim().starts_with(words), "{bad}: {out}");
        }
    }

    #[test]
    fn markdown_becomes_html() {
        assert_eq!(
            to_safe_html("Coupons **doubled** the total."),
            "<p>Coupons <strong>doubled</strong> the total.</p>\n"
        );
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_safe_html("<script>alert(1)</script> and <b onclick=x>bold</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn unsafe_link_schemes_are_neutralised() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "//evil.example",
        ] {
            let html = to_safe_html(&format!("[click]({bad})"));
            assert!(html.contains("href=\"#\""), "{bad}: {html}");
        }
        let html = to_safe_html("[status](https://status.example.com/1)");
        assert!(
            html.contains("href=\"https://status.example.com/1\""),
            "{html}"
        );
    }

    #[test]
    fn images_become_links() {
        let html = to_safe_html("![graph](https://example.com/g.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.com/g.png\">graph</a>"),
            "{html}"
        );
    }
}
