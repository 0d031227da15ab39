//! Chart geometry for server-rendered SVG: the numbers become rectangles, points and ticks
//! here, and the templates (`templates/charts.html`) only draw them. Hand-written SVG
//! instead of a plotting crate: every bar and point is a link to the rows behind it with
//! a `<title>`, colours come from CSS classes (so dark mode and print restyle them, print
//! with patterns), and the text stays real text that scales with the `viewBox`.

use serde::Serialize;

/// The drawing area every chart shares: a 720 × 300 `viewBox` with room for axes.
pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 48.0;

fn plot_width() -> f64 {
    WIDTH - LEFT - RIGHT
}

fn plot_height() -> f64 {
    HEIGHT - TOP - BOTTOM
}

/// `label` cut to `max` characters with an ellipsis, so axis labels do not overlap; the
/// full text stays in the mark's title and the data table.
fn short(label: String, max: usize) -> String {
    if label.chars().count() <= max {
        return label;
    }
    let mut cut: String = label.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A horizontal grid line with its label.
#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub y: f64,
    pub label: String,
}

/// A label under a bar group or point.
#[derive(Debug, Clone, Serialize)]
pub struct XLabel {
    pub x: f64,
    pub label: String,
}

/// The frame of a chart: its size, plot area and axes.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub ticks: Vec<Tick>,
    pub x_labels: Vec<XLabel>,
}

/// A value axis from 0 to a round number at or above `max`, with about five ticks.
fn ticks(max: f64, label: impl Fn(f64) -> String) -> (f64, Vec<Tick>) {
    let max = if max > 0.0 { max } else { 1.0 };
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(raw);
    let top = (max / step).ceil() * step;
    let mut ticks = Vec::new();
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        ticks.push(Tick {
            y: TOP + plot_height() * (1.0 - v / top),
            label: label(v),
        });
        v += step;
    }
    (top, ticks)
}

fn frame(ticks: Vec<Tick>, x_labels: Vec<XLabel>) -> Frame {
    Frame {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right: WIDTH - RIGHT,
        top: TOP,
        bottom: HEIGHT - BOTTOM,
        ticks,
        x_labels,
    }
}

/// The x centre and width of slot `i` of `n`.
fn slot(i: usize, n: usize) -> (f64, f64) {
    let w = plot_width() / n.max(1) as f64;
    (LEFT + w * (i as f64 + 0.5), w)
}

/// One segment of a stacked bar.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub y: f64,
    pub height: f64,
    /// The CSS class of its series (e.g. `m-no_test`).
    pub class: String,
    pub title: String,
    pub href: String,
}

/// One stacked bar.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub total_label: String,
    pub total_y: f64,
    pub segments: Vec<Segment>,
}

/// A mark under one bar (the improvement actions done in its quarter), linked to them.
#[derive(Debug, Clone, Serialize)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub title: String,
    pub href: String,
}

/// A stacked bar chart.
#[derive(Debug, Clone, Serialize)]
pub struct StackedBars {
    pub frame: Frame,
    pub bars: Vec<Bar>,
    pub markers: Vec<Marker>,
}

impl StackedBars {
    /// Puts a marker under bar `index` (below its label); nothing for a bar that is not there.
    pub fn mark(&mut self, index: usize, label: String, title: String, href: String) {
        if let Some(bar) = self.bars.get(index) {
            self.markers.push(Marker {
                x: bar.x + bar.width / 2.0,
                y: self.frame.bottom + 36.0,
                label,
                title,
                href,
            });
        }
    }
}

/// One value of a stacked bar before layout: its series class, count, title and link.
pub struct Part {
    pub class: String,
    pub value: u64,
    pub title: String,
    pub href: String,
}

/// Lays out stacked bars, one per `(label, parts)`, on a count axis.
pub fn stacked_bars(columns: Vec<(String, Vec<Part>)>) -> StackedBars {
    let max = columns
        .iter()
        .map(|(_, parts)| parts.iter().map(|p| p.value).sum::<u64>())
        .max()
        .unwrap_or(0);
    let (top, ticks) = ticks(max as f64, |v| format!("{v:.0}"));
    let n = columns.len();
    let mut x_labels = Vec::new();
    let bars = columns
        .into_iter()
        .enumerate()
        .map(|(i, (label, parts))| {
            let (x, w) = slot(i, n);
            x_labels.push(XLabel {
                x,
                label: short(label, 14),
            });
            let mut base = TOP + plot_height();
            let total: u64 = parts.iter().map(|p| p.value).sum();
            let segments = parts
                .into_iter()
                .filter(|p| p.value > 0)
                .map(|p| {
                    let height = plot_height() * p.value as f64 / top;
                    base -= height;
                    Segment {
                        y: base,
                        height,
                        class: p.class,
                        title: p.title,
                        href: p.href,
                    }
                })
                .collect();
            Bar {
                x: x - w * 0.35,
                width: w * 0.7,
                total_label: total.to_string(),
                total_y: base - 4.0,
                segments,
            }
        })
        .collect();
    StackedBars {
        frame: frame(ticks, x_labels),
        bars,
        markers: Vec::new(),
    }
}

/// One point with its 95% interval.
#[derive(Debug, Clone, Serialize)]
pub struct BandPoint {
    pub x: f64,
    pub y: f64,
    pub y_low: f64,
    pub y_high: f64,
    /// Fewer than 10 defects: drawn hollow.
    pub small: bool,
    pub title: String,
    pub href: String,
}

/// Rates with their intervals, as points on a 0–100% axis with an interval band.
#[derive(Debug, Clone, Serialize)]
pub struct RateBand {
    pub frame: Frame,
    pub points: Vec<BandPoint>,
    /// The band's outline (upper edge left to right, lower edge back), as SVG points.
    pub band: String,
    /// The rate line through the points.
    pub line: String,
}

/// One rate before layout: label, value, interval (fractions), small-sample flag, title, link.
pub struct RatePoint {
    pub label: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub small: bool,
    pub title: String,
    pub href: String,
}

/// Lays out rates on an axis from 0 to a round share at or above the highest interval.
pub fn rate_band(points: Vec<RatePoint>) -> RateBand {
    let max = points.iter().map(|p| p.high).fold(0.0, f64::max).min(1.0);
    let (top, ticks) = ticks(max * 100.0, |v| format!("{v:.0}%"));
    let top = top / 100.0;
    let y = |v: f64| TOP + plot_height() * (1.0 - v / top);
    let n = points.len();
    let mut x_labels = Vec::new();
    let laid: Vec<BandPoint> = points
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let (x, _) = slot(i, n);
            x_labels.push(XLabel {
                x,
                label: short(p.label, 12),
            });
            BandPoint {
                x,
                y: y(p.value),
                y_low: y(p.low),
                y_high: y(p.high),
                small: p.small,
                title: p.title,
                href: p.href,
            }
        })
        .collect();
    let upper: Vec<String> = laid
        .iter()
        .map(|p| format!("{:.1},{:.1}", p.x, p.y_high))
        .collect();
    let lower: Vec<String> = laid
        .iter()
        .rev()
        .map(|p| format!("{:.1},{:.1}", p.x, p.y_low))
        .collect();
    let line: Vec<String> = laid
        .iter()
        .map(|p| format!("{:.1},{:.1}", p.x, p.y))
        .collect();
    RateBand {
        frame: frame(ticks, x_labels),
        band: [upper, lower].concat().join(" "),
        line: line.join(" "),
        points: laid,
    }
}

/// One cell of a heat map.
#[derive(Debug, Clone, Serialize)]
pub struct HeatCell {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// 0 (empty) to 5 (the largest count): the CSS class `heat-N`.
    pub level: u8,
    pub label: String,
    pub title: String,
    pub href: String,
}

/// A heat map: rows × columns of counts.
#[derive(Debug, Clone, Serialize)]
pub struct HeatMap {
    pub width: f64,
    pub height: f64,
    pub row_labels: Vec<XLabel>,
    pub column_labels: Vec<XLabel>,
    pub cells: Vec<HeatCell>,
    pub label_width: f64,
    pub top: f64,
}

/// One heat map cell before layout.
pub struct HeatValue {
    pub value: u64,
    pub title: String,
    pub href: String,
}

/// Lays out `rows` (label, cells) under `columns`, shading each cell by its count.
pub fn heat_map(columns: Vec<String>, rows: Vec<(String, Vec<HeatValue>)>) -> HeatMap {
    let label_width = 150.0;
    let top = 70.0;
    let cell_h = 26.0;
    // Room on the right for the last column label, which is drawn rotated.
    let cell_w = (WIDTH - label_width - 64.0) / columns.len().max(1) as f64;
    let max = rows
        .iter()
        .flat_map(|(_, cells)| cells.iter().map(|c| c.value))
        .max()
        .unwrap_or(0);
    let level = |v: u64| -> u8 {
        if v == 0 || max == 0 {
            0
        } else {
            // Square root scale: small counts stay visible beside large ones.
            let share = (v as f64 / max as f64).sqrt();
            1 + (share * 4.0).round().min(4.0) as u8
        }
    };
    let column_labels = columns
        .into_iter()
        .enumerate()
        .map(|(i, label)| XLabel {
            x: label_width + cell_w * (i as f64 + 0.5),
            label: short(label, 16),
        })
        .collect();
    let mut cells = Vec::new();
    let mut row_labels = Vec::new();
    let n_rows = rows.len();
    for (r, (label, values)) in rows.into_iter().enumerate() {
        let y = top + cell_h * r as f64;
        row_labels.push(XLabel {
            x: y + cell_h / 2.0,
            label: short(label, 20),
        });
        for (c, v) in values.into_iter().enumerate() {
            cells.push(HeatCell {
                x: label_width + cell_w * c as f64,
                y,
                width: cell_w,
                height: cell_h,
                level: level(v.value),
                label: if v.value == 0 {
                    String::new()
                } else {
                    v.value.to_string()
                },
                title: v.title,
                href: v.href,
            });
        }
    }
    HeatMap {
        width: WIDTH,
        height: top + cell_h * n_rows as f64 + 8.0,
        row_labels,
        column_labels,
        cells,
        label_width,
        top,
    }
}

/// Grouped bars: per column, one bar per series, on a shared axis.
#[derive(Debug, Clone, Serialize)]
pub struct GroupedBars {
    pub frame: Frame,
    pub bars: Vec<GroupedBar>,
}

/// One bar of a group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupedBar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub class: String,
    pub title: String,
    pub href: String,
}

/// One value of a grouped bar before layout (`None` draws nothing: no data).
pub struct GroupValue {
    pub class: String,
    pub value: Option<f64>,
    pub title: String,
    pub href: String,
}

/// Lays out grouped bars on an axis labelled by `unit` (e.g. days).
pub fn grouped_bars(
    columns: Vec<(String, Vec<GroupValue>)>,
    label: impl Fn(f64) -> String,
) -> GroupedBars {
    let max = columns
        .iter()
        .flat_map(|(_, vs)| vs.iter().filter_map(|v| v.value))
        .fold(0.0, f64::max);
    let (top, ticks) = ticks(max, label);
    let n = columns.len();
    let mut x_labels = Vec::new();
    let mut bars = Vec::new();
    for (i, (label, values)) in columns.into_iter().enumerate() {
        let (x, w) = slot(i, n);
        x_labels.push(XLabel {
            x,
            label: short(label, 14),
        });
        let k = values.len().max(1) as f64;
        let bar_w = w * 0.8 / k;
        for (j, v) in values.into_iter().enumerate() {
            let Some(value) = v.value else { continue };
            let height = plot_height() * value / top;
            bars.push(GroupedBar {
                x: x - w * 0.4 + bar_w * j as f64,
                y: TOP + plot_height() - height,
                width: bar_w * 0.9,
                height,
                class: v.class,
                title: v.title,
                href: v.href,
            });
        }
    }
    GroupedBars {
        frame: frame(ticks, x_labels),
        bars,
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn part(value: u64) -> Part {
        Part {
            class: "m".to_owned(),
            value,
            title: String::new(),
            href: String::new(),
        }
    }

    #[test]
    fn stacked_segments_fill_their_share_of_the_axis() {
        let chart = stacked_bars(vec![
            ("Q1".to_owned(), vec![part(3), part(1)]),
            ("Q2".to_owned(), vec![part(0), part(10)]),
        ]);
        assert_eq!(chart.bars.len(), 2);
        assert_eq!(chart.bars[0].segments.len(), 2);
        assert_eq!(chart.bars[1].segments.len(), 1, "empty parts are not drawn");
        let tallest: f64 = chart.bars[1].segments.iter().map(|s| s.height).sum();
        let first: f64 = chart.bars[0].segments.iter().map(|s| s.height).sum();
        assert!((first / tallest - 0.4).abs() < 1e-9);
        let axis_top = chart.frame.ticks.last().unwrap();
        assert_eq!(axis_top.label, "10");
    }

    #[test]
    fn ticks_end_at_a_round_number_above_the_maximum() {
        let (top, t) = ticks(37.0, |v| format!("{v}"));
        assert_eq!(top, 40.0);
        assert_eq!(t.first().unwrap().label, "0");
        let (top, _) = ticks(0.0, |v| format!("{v}"));
        assert_eq!(top, 1.0);
    }

    #[test]
    fn the_band_runs_along_the_upper_edge_and_back_along_the_lower() {
        let p = |v: f64| RatePoint {
            label: "r".to_owned(),
            value: v,
            low: v / 2.0,
            high: v * 1.5,
            small: false,
            title: String::new(),
            href: String::new(),
        };
        let chart = rate_band(vec![p(0.2), p(0.3)]);
        assert_eq!(chart.band.split(' ').count(), 4);
        assert!(chart.points[0].y_high < chart.points[0].y);
        assert!(chart.points[0].y < chart.points[0].y_low);
    }

    #[test]
    fn heat_levels_grow_with_the_count() {
        let v = |value| HeatValue {
            value,
            title: String::new(),
            href: String::new(),
        };
        let map = heat_map(
            vec!["a".to_owned(), "b".to_owned(), "c".to_owned()],
            vec![("row".to_owned(), vec![v(0), v(1), v(100)])],
        );
        let levels: Vec<u8> = map.cells.iter().map(|c| c.level).collect();
        assert_eq!(levels[0], 0);
        assert!(levels[1] >= 1 && levels[1] < levels[2]);
        assert_eq!(levels[2], 5);
    }
}
