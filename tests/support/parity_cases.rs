// The format-parity cases shared by `tests/format_parity.rs` (text writer)
// and `tests/binary_format_parity.rs` (binary log, decoded): included with
// `include!` after each file defines its `Harness` (`new`, `finish(cases)`,
// a `logger` and an `expected: Vec<String>`) and its `case!` macro, so the
// two run the very same cases.

/// A `Copy` user type with both `Display` and `Debug`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    x: i32,
    y: f64,
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Honours the formatter's flags, so width/precision matter.
        write!(f, "(")?;
        fmt::Display::fmt(&self.x, f)?;
        write!(f, ", ")?;
        fmt::Display::fmt(&self.y, f)?;
        write!(f, ")")
    }
}

/// A nested `Copy` struct for `{:#?}` (its fields are only read by `Debug`).
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
struct Frame {
    id: u32,
    origin: Point,
    tag: char,
    flags: [bool; 2],
}

#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
enum Mode {
    Idle,
    Busy { load: u8 },
}

#[test]
fn specs_and_flags() {
    let mut h = Harness::new();
    let p = Point { x: -3, y: 2.5 };
    let frame = Frame {
        id: 9,
        origin: p,
        tag: 'é',
        flags: [true, false],
    };

    // Display and Debug.
    case!(h, "{}", 42);
    case!(h, "{:?}", "quoted \"str\"\t\u{7f}");
    case!(h, "{:?}", p);
    case!(h, "{:#?}", frame);
    case!(h, "{:#?} | {:?}", Mode::Busy { load: 7 }, Mode::Idle);
    // Integer radixes, with and without `#`.
    case!(h, "{:x} {:X} {:#x} {:#X}", 255u8, 48879u32, 3054u16, -1i8);
    case!(h, "{:o} {:#o} {:b} {:#b}", 8u32, 64i64, 5u8, -2i16);
    case!(h, "{:#010x} {:#06b} {:08o}", 255u32, 5u8, 8u16);
    // Exponents.
    case!(
        h,
        "{:e} {:E} {:e} {:.2e} {:e}",
        1234.5f64,
        0.00012f32,
        0u32,
        6.02214076e23f64,
        1_000_000u64
    );
    // Hex Debug.
    case!(h, "{:x?} {:X?} {:#x?}", [10u8, 255], (171u16, 205u32), 17u8);
    // Fill and alignment.
    case!(h, "[{:*^10}] [{:<5}] [{:>8}] [{:^7}]", "mid", 1, 2.5, 'c');
    case!(h, "[{:-<9}] [{:→>6}] [{:0>4}]", true, 7u8, "ab");
    // Sign, `#`, `0`, width and precision.
    case!(h, "{:+} {:+} {:+.1} {:+}", 5, -5, 0.25, 0.0f64);
    case!(
        h,
        "[{:08.3}] [{:08.3}] [{:+08}] [{:08}]",
        1.23456,
        -2.5f32,
        42,
        -7i8
    );
    case!(
        h,
        "[{:10.3}] [{:<10.3}] [{:^10.3}] [{:.0}]",
        1.0f64 / 3.0,
        2.0f32,
        9.87654,
        2.5
    );
    case!(h, "[{:.3}] [{:10.2}] [{:>6}]", "truncated", "ab", p);
    case!(h, "[{:12.4}] [{:<14?}]", p, Some(3u8));
    // Positional, named and captured arguments.
    case!(h, "{0} {1} {0} {1:?}", 'a', "b");
    case!(h, "{1} {} {0} {}", 1, 2);
    case!(h, "{name} is {age} ({name:?})", name = "Ann", age = 37u8);
    case!(h, "{0}-{n}-{}", 10, n = 20);
    let ident = 77u64;
    let width = 7usize;
    let label = "lbl";
    case!(
        h,
        "[{ident}] [{ident:>width$}] [{label:^width$}] [{ident:#x}]"
    );
    case!(h, "{ident} {} {label}", ident * 2);
    // Escaped braces.
    case!(h, "{{}} {{{}}} }}{{ {{x}}", 5);
    // Width and precision from arguments.
    case!(h, "[{:1$}] [{:>1$}]", 5, 8);
    case!(h, "[{:.*}] [{:.*}]", 2, 1.23456, 0, 9.99f32);
    case!(h, "[{:>w$.p$}] [{:<w$}]", 1.23456, "x", w = 10, p = 2);
    case!(h, "[{0:>1$.2$}] [{3:^1$}]", 2.0f64 / 3.0, 9, 4, "mid");
    let precision = 1usize;
    case!(
        h,
        "[{:.precision$}] [{:width$.precision$}]",
        0.55f64,
        2.25f32
    );
    // Zero arguments, and Unicode in the format string.
    case!(h, "no arguments at all");
    case!(h, "");
    case!(h, "ünïcödé → {} ✓ 日本語 {:^5} 🦀", "€", '字');

    h.finish(32);
}

#[test]
fn integer_and_float_values() {
    let mut h = Harness::new();

    case!(h, "u8 {} {} | i8 {} {}", u8::MIN, u8::MAX, i8::MIN, i8::MAX);
    case!(
        h,
        "u16 {} {} | i16 {} {}",
        u16::MIN,
        u16::MAX,
        i16::MIN,
        i16::MAX
    );
    case!(
        h,
        "u32 {} {} | i32 {} {}",
        u32::MIN,
        u32::MAX,
        i32::MIN,
        i32::MAX
    );
    case!(
        h,
        "u64 {} {} | i64 {} {}",
        u64::MIN,
        u64::MAX,
        i64::MIN,
        i64::MAX
    );
    case!(
        h,
        "u128 {} {} | i128 {} {}",
        u128::MIN,
        u128::MAX,
        i128::MIN,
        i128::MAX
    );
    case!(
        h,
        "usize {} {} | isize {} {}",
        usize::MIN,
        usize::MAX,
        isize::MIN,
        isize::MAX
    );
    case!(h, "{:x} {:#b} {:o}", u128::MAX, i128::MIN, u64::MAX);
    case!(h, "{:?} {:?}", i128::MIN, usize::MAX);
    case!(h, "{:#x} {:#X}", i64::MIN, isize::MIN);

    case!(
        h,
        "f64 {} {} {} {}",
        1.5f64,
        -0.0f64,
        1e300f64,
        0.1f64 + 0.2
    );
    case!(
        h,
        "f64 {} {} {} {}",
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX
    );
    case!(
        h,
        "f64 {:?} {:?} {:?} {:?}",
        -0.0f64,
        1e300f64,
        f64::NAN,
        1.0f64
    );
    case!(
        h,
        "f64 subnormal {} {:e} {:?}",
        5e-324f64,
        f64::MIN_POSITIVE / 2.0,
        f64::from_bits(1)
    );
    case!(
        h,
        "f32 {} {} {} {}",
        1.5f32,
        -0.0f32,
        f32::MAX,
        f32::MIN_POSITIVE
    );
    case!(
        h,
        "f32 {} {} {:?} {:e}",
        f32::NAN,
        f32::NEG_INFINITY,
        1e-45f32,
        1e38f32
    );
    case!(
        h,
        "{:.2} {:.0} {:.5} {:8.2}",
        2.675f64,
        0.5f64,
        1e-7f32,
        -1.005f64
    );
    case!(
        h,
        "{:.3} {:.3} {:+.1e}",
        f64::NAN,
        f64::INFINITY,
        -123456.0f64
    );
    case!(h, "{:010.2} {:<10.1}|", -f64::INFINITY, f32::NAN);

    h.finish(18);
}

#[test]
fn argument_types() {
    let mut h = Harness::new();
    let p = Point { x: 1, y: -0.5 };

    case!(h, "{} {} {:?}", true, false, true);
    case!(h, "{} {} {:?} {:?}", 'x', '€', '€', '\'');
    case!(h, "newline char [{}] escaped {:?}", '\n', '\n');
    case!(h, "{}", "a &'static str");
    let owned = String::from("an owned String, borrowed");
    let borrowed: &str = &owned[3..];
    case!(h, "[{}] [{:>30}]", borrowed, borrowed);
    case!(h, "{} {:?}", owned.clone(), String::from("tmp"));
    case!(h, "{} / {:?}", &owned, &owned);
    let static_str: &&str = &"double ref";
    case!(h, "{}", static_str);
    let boxed: Box<str> = "boxed str".into();
    let cow: std::borrow::Cow<str> = std::borrow::Cow::Borrowed("cow str");
    case!(
        h,
        "{} {:?} {}",
        boxed,
        cow,
        std::borrow::Cow::<str>::Owned("owned cow".into())
    );
    case!(h, "{} {:?} [{:^15}]", p, p, p);
    case!(
        h,
        "{:?} {:?} {:?}",
        Duration::from_millis(1500),
        Duration::ZERO,
        Duration::from_nanos(7)
    );
    case!(h, "{:.2?}", Duration::from_micros(123_456));
    case!(h, "{:?} {:?} {:?}", Some(5u32), None::<u32>, Some(u32::MAX));
    case!(h, "{:?} {:#?}", (7u8, 'z'), (255u8, '€'));
    case!(h, "{:?} {:x?}", [1u16, 2, 3, 65535], [0u16; 4]);
    case!(h, "{:?}", ((), [[1i8, -1]; 2], (1.5f32, Some('q'))));
    case!(h, "{:?} {:?}", Ok::<u8, i16>(1), Err::<u8, i16>(-1));
    case!(h, "{:?}", core::num::NonZeroU32::new(9));
    case!(
        h,
        "{:?} {}",
        std::cmp::Ordering::Less,
        std::net::Ipv4Addr::LOCALHOST
    );

    // Many arguments, of mixed kinds.
    case!(
        h,
        "{} {} {} {} {} {} {} {} {} {} {} {}",
        1u8,
        2i16,
        3u32,
        4i64,
        5u128,
        6.5f32,
        7.25f64,
        '8',
        "nine",
        String::from("ten"),
        true,
        p
    );

    // A very long string, alone and between other arguments.
    let long: String = (0..10_240u32)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    case!(h, "{}", long);
    case!(h, "<{}|{}|{}>", 1u8, &long, 'z');
    let long_unicode: String = "€日🦀".repeat(1000);
    case!(h, "{:?} {}", long_unicode.as_str(), long_unicode.len());

    // Keywords captured from the scope (rustc captures `{fn}` as `r#fn`).
    let r#fn = 1u8;
    let r#match = "m";
    let r#type = 'T';
    case!(h, "{fn} {match} {type:?} {fn:>3}");
    // A non-ASCII captured name.
    let café = 2.5f32;
    case!(h, "{café} {café:?} {}", café * 2.0);

    h.finish(25);
}
