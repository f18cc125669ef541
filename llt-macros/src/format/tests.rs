//! Table tests of the format-string parser (`parse`, `parser.rs`) and checker
//! (`check`, `check.rs`), kept beside them so those files read as the grammar
//! and the rules alone.

use super::*;

/// `ArgRef::Index`.
fn at(index: usize) -> ArgRef {
    ArgRef::Index(index)
}

/// `ArgRef::Name`.
fn name(name: &str) -> ArgRef {
    ArgRef::Name(name.to_owned())
}

/// A literal piece.
fn lit(text: &str) -> Piece {
    Piece::Literal(text.to_owned())
}

/// A placeholder piece.
fn ph(arg: ArgRef, implicit: bool, spec: Spec, span: Range<usize>) -> Piece {
    Piece::Placeholder(Placeholder {
        arg,
        implicit,
        spec,
        span,
    })
}

/// A `{}` placeholder taking the next argument `index`.
fn next(index: usize, span: Range<usize>) -> Piece {
    ph(at(index), true, Spec::default(), span)
}

/// A spec with only the format trait set.
fn with_trait(trait_: FormatTrait) -> Spec {
    Spec {
        trait_,
        ..Spec::default()
    }
}

/// Strings holding exactly one placeholder spanning the whole string.
fn single_placeholder_cases() -> Vec<(&'static str, ArgRef, bool, Spec)> {
    use FormatTrait::*;
    let d = Spec::default;
    let width = |n| Some(Count::Literal(n));
    vec![
        ("{}", at(0), true, d()),
        ("{:}", at(0), true, d()),
        ("{ }", at(0), true, d()),
        ("{: }", at(0), true, d()),
        ("{:\u{3000}}", at(0), true, d()),
        ("{0}", at(0), false, d()),
        ("{12}", at(12), false, d()),
        ("{0 }", at(0), false, d()),
        ("{0\n}", at(0), false, d()),
        ("{name}", name("name"), false, d()),
        ("{_x1}", name("_x1"), false, d()),
        ("{été}", name("été"), false, d()),
        ("{self}", name("self"), false, d()),
        ("{fn}", name("fn"), false, d()),
        ("{ :x}", at(0), true, with_trait(LowerHex)),
        ("{0 :x}", at(0), false, with_trait(LowerHex)),
        ("{:?}", at(0), true, with_trait(Debug)),
        ("{:? }", at(0), true, with_trait(Debug)),
        ("{:x}", at(0), true, with_trait(LowerHex)),
        ("{:x }", at(0), true, with_trait(LowerHex)),
        ("{:X}", at(0), true, with_trait(UpperHex)),
        ("{:o}", at(0), true, with_trait(Octal)),
        ("{:b}", at(0), true, with_trait(Binary)),
        ("{:e}", at(0), true, with_trait(LowerExp)),
        ("{:E}", at(0), true, with_trait(UpperExp)),
        ("{:p}", at(0), true, with_trait(Pointer)),
        (
            "{:#?}",
            at(0),
            true,
            Spec {
                alternate: true,
                ..with_trait(Debug)
            },
        ),
        (
            "{:x?}",
            at(0),
            true,
            Spec {
                debug_hex: Some(DebugHex::Lower),
                ..with_trait(Debug)
            },
        ),
        (
            "{0:#X?}",
            at(0),
            false,
            Spec {
                alternate: true,
                debug_hex: Some(DebugHex::Upper),
                ..with_trait(Debug)
            },
        ),
        (
            "{:.x?}",
            at(0),
            true,
            Spec {
                debug_hex: Some(DebugHex::Lower),
                ..with_trait(Debug)
            },
        ),
        (
            "{:5}",
            at(0),
            true,
            Spec {
                width: width(5),
                ..d()
            },
        ),
        (
            "{:65535}",
            at(0),
            true,
            Spec {
                width: width(65535),
                ..d()
            },
        ),
        (
            "{:<5}",
            at(0),
            true,
            Spec {
                align: Some(Align::Left),
                width: width(5),
                ..d()
            },
        ),
        (
            "{:*^9}",
            at(0),
            true,
            Spec {
                fill: Some('*'),
                align: Some(Align::Center),
                width: width(9),
                ..d()
            },
        ),
        (
            "{:>>}",
            at(0),
            true,
            Spec {
                fill: Some('>'),
                align: Some(Align::Right),
                ..d()
            },
        ),
        (
            "{:<<5}",
            at(0),
            true,
            Spec {
                fill: Some('<'),
                align: Some(Align::Left),
                width: width(5),
                ..d()
            },
        ),
        (
            "{:}>5}",
            at(0),
            true,
            Spec {
                fill: Some('}'),
                align: Some(Align::Right),
                width: width(5),
                ..d()
            },
        ),
        (
            "{:{<2}",
            at(0),
            true,
            Spec {
                fill: Some('{'),
                align: Some(Align::Left),
                width: width(2),
                ..d()
            },
        ),
        (
            "{:é>5}",
            at(0),
            true,
            Spec {
                fill: Some('é'),
                align: Some(Align::Right),
                width: width(5),
                ..d()
            },
        ),
        (
            "{:\n^3}",
            at(0),
            true,
            Spec {
                fill: Some('\n'),
                align: Some(Align::Center),
                width: width(3),
                ..d()
            },
        ),
        (
            "{:+}",
            at(0),
            true,
            Spec {
                sign: Some(Sign::Plus),
                ..d()
            },
        ),
        (
            "{:-}",
            at(0),
            true,
            Spec {
                sign: Some(Sign::Minus),
                ..d()
            },
        ),
        (
            "{:-#?}",
            at(0),
            true,
            Spec {
                sign: Some(Sign::Minus),
                alternate: true,
                ..with_trait(Debug)
            },
        ),
        (
            "{:0}",
            at(0),
            true,
            Spec {
                zero_pad: true,
                ..d()
            },
        ),
        (
            "{:#0}",
            at(0),
            true,
            Spec {
                alternate: true,
                zero_pad: true,
                ..d()
            },
        ),
        (
            "{:08.3}",
            at(0),
            true,
            Spec {
                zero_pad: true,
                width: width(8),
                precision: Some(Count::Literal(3)),
                ..d()
            },
        ),
        (
            "{:0$}",
            at(0),
            true,
            Spec {
                width: Some(Count::Arg(at(0))),
                ..d()
            },
        ),
        (
            "{:00$}",
            at(0),
            true,
            Spec {
                zero_pad: true,
                width: Some(Count::Arg(at(0))),
                ..d()
            },
        ),
        (
            "{1:0$}",
            at(1),
            false,
            Spec {
                width: Some(Count::Arg(at(0))),
                ..d()
            },
        ),
        (
            "{:1$}",
            at(0),
            true,
            Spec {
                width: Some(Count::Arg(at(1))),
                ..d()
            },
        ),
        (
            "{:w$}",
            at(0),
            true,
            Spec {
                width: Some(Count::Arg(name("w"))),
                ..d()
            },
        ),
        (
            "{:.p$}",
            at(0),
            true,
            Spec {
                precision: Some(Count::Arg(name("p"))),
                ..d()
            },
        ),
        (
            "{:.3}",
            at(0),
            true,
            Spec {
                precision: Some(Count::Literal(3)),
                ..d()
            },
        ),
        ("{:.}", at(0), true, d()),
        (
            "{:5.}",
            at(0),
            true,
            Spec {
                width: width(5),
                ..d()
            },
        ),
        ("{:.e}", at(0), true, with_trait(LowerExp)),
        (
            "{:.*}",
            at(1),
            true,
            Spec {
                precision: Some(Count::Arg(at(0))),
                precision_star: true,
                ..d()
            },
        ),
        (
            "{0:.*}",
            at(0),
            false,
            Spec {
                precision: Some(Count::Arg(at(0))),
                precision_star: true,
                ..d()
            },
        ),
        (
            "{x:x$x}",
            name("x"),
            false,
            Spec {
                width: Some(Count::Arg(name("x"))),
                ..with_trait(LowerHex)
            },
        ),
        (
            "{:^+#012.5x}",
            at(0),
            true,
            Spec {
                align: Some(Align::Center),
                sign: Some(Sign::Plus),
                alternate: true,
                zero_pad: true,
                width: width(12),
                precision: Some(Count::Literal(5)),
                ..with_trait(LowerHex)
            },
        ),
        (
            "{a:_>w$.prec$E}",
            name("a"),
            false,
            Spec {
                fill: Some('_'),
                align: Some(Align::Right),
                width: Some(Count::Arg(name("w"))),
                precision: Some(Count::Arg(name("prec"))),
                ..with_trait(UpperExp)
            },
        ),
    ]
}

#[test]
fn parses_single_placeholders() {
    let cases = single_placeholder_cases();
    assert!(cases.len() >= 40);
    for (input, arg, implicit, spec) in cases {
        let expected = FormatString {
            pieces: vec![ph(arg, implicit, spec, 0..input.len())],
        };
        assert_eq!(parse(input), Ok(expected), "input: {input:?}");
    }
}

#[test]
fn parses_whole_strings() {
    let star = |precision: usize| Spec {
        precision: Some(Count::Arg(at(precision))),
        precision_star: true,
        ..Spec::default()
    };
    let cases: Vec<(&str, Vec<Piece>)> = vec![
        ("", vec![]),
        ("hello", vec![lit("hello")]),
        ("{{}}", vec![lit("{}")]),
        ("a{{b}}c", vec![lit("a{b}c")]),
        ("{{{}}}", vec![lit("{"), next(0, 2..4), lit("}")]),
        ("{} {}", vec![next(0, 0..2), lit(" "), next(1, 3..5)]),
        ("é{}", vec![lit("é"), next(0, 2..4)]),
        (
            "{0} {} {}",
            vec![
                ph(at(0), false, Spec::default(), 0..3),
                lit(" "),
                next(0, 4..6),
                lit(" "),
                next(1, 7..9),
            ],
        ),
        (
            "{:.*} {}",
            vec![ph(at(1), true, star(0), 0..5), lit(" "), next(2, 6..8)],
        ),
        (
            "{} {2:.*} {}",
            vec![
                next(0, 0..2),
                lit(" "),
                ph(at(2), false, star(1), 3..9),
                lit(" "),
                next(2, 10..12),
            ],
        ),
        (
            "x={x}, y={y:?}\n",
            vec![
                lit("x="),
                ph(name("x"), false, Spec::default(), 2..5),
                lit(", y="),
                ph(name("y"), false, with_trait(FormatTrait::Debug), 9..14),
                lit("\n"),
            ],
        ),
    ];
    for (input, pieces) in cases {
        assert_eq!(
            parse(input),
            Ok(FormatString { pieces }),
            "input: {input:?}"
        );
    }
}

#[test]
fn rejects_invalid_strings() {
    let cases: Vec<(&str, &str, Range<usize>)> = vec![
        ("}", "invalid format string: unmatched `}` found", 0..1),
        ("a}b", "invalid format string: unmatched `}` found", 1..2),
        ("{:}}", "invalid format string: unmatched `}` found", 3..4),
        (
            "{",
            "invalid format string: expected `}` but string was terminated",
            0..1,
        ),
        (
            "{0",
            "invalid format string: expected `}` but string was terminated",
            0..2,
        ),
        (
            "ab{:x",
            "invalid format string: expected `}` but string was terminated",
            2..5,
        ),
        (
            "{é",
            "invalid format string: expected `}` but string was terminated",
            0..3,
        ),
        (
            "{ 0}",
            "invalid format string: expected `}`, found `0`",
            2..3,
        ),
        (
            "{:+-}",
            "invalid format string: expected `}`, found `-`",
            3..4,
        ),
        (
            "{:0#}",
            "invalid format string: expected `}`, found `#`",
            3..4,
        ),
        (
            "{:xy}",
            "invalid format string: expected `}`, found `y`",
            3..4,
        ),
        (
            "{:$}",
            "invalid format string: expected `}`, found `$`",
            2..3,
        ),
        (
            "{:.*$}",
            "invalid format string: expected `}`, found `$`",
            4..5,
        ),
        (
            "{0\"}",
            "invalid format string: expected `}`, found `\\\"`",
            2..3,
        ),
        (
            "{x.y.z}",
            "invalid format string: expected `}`, found `.`",
            2..3,
        ),
        (
            "{0x} {:?#}",
            "invalid format string: expected `}`, found `x`",
            2..3,
        ),
        (
            "{:?#}",
            "invalid format string: expected `}`, found `#`",
            3..4,
        ),
        (
            "{:99999?#}",
            "invalid format string: expected `}`, found `#`",
            8..9,
        ),
        (
            "{:70000}",
            "invalid format string: integer `70000` does not fit into the type `u16` \
             whose range is `0..=65535`",
            2..7,
        ),
        (
            "{99999999999999999999}",
            "invalid format string: integer `99999999999999999999` does not fit into the \
             type `u16` whose range is `0..=65535`",
            1..21,
        ),
        (
            "{_}",
            "invalid format string: invalid argument name `_`",
            1..2,
        ),
        (
            "{:_}",
            "invalid format string: invalid argument name `_`",
            2..3,
        ),
        (
            "{x?}",
            "invalid format string: expected `}`, found `?`",
            2..3,
        ),
        (
            "{x=}",
            "invalid format string: python's f-string debug `=` is not supported in rust, \
             use `dbg(x)` instead",
            2..3,
        ),
        (
            "{:,}",
            "invalid format string: python's numeric grouping `,` is not supported in rust \
             format strings",
            2..3,
        ),
        (
            "{x.y}",
            "invalid format string: field access isn't supported",
            1..4,
        ),
        (
            "{x.0}",
            "invalid format string: tuple index access isn't supported",
            1..4,
        ),
        (
            "{?:x}",
            "invalid format string: expected format parameter to occur after `:`",
            1..2,
        ),
        (
            "{<5}",
            "invalid format string: expected alignment specifier after `:` in format \
             string; example: `{:>?}`",
            1..2,
        ),
        (
            "{r#foo}",
            "invalid format string: raw identifiers are not supported",
            1..6,
        ),
        ("{:y}", "unknown format trait `y`", 2..3),
        ("{:eo}", "unknown format trait `eo`", 2..4),
        ("{:y} {:z}", "unknown format trait `y`", 2..3),
        (
            "{:yy} }",
            "invalid format string: unmatched `}` found",
            6..7,
        ),
    ];
    assert!(cases.len() >= 15);
    for (input, message, span) in cases {
        let expected = FormatError {
            message: message.to_owned(),
            span,
            unused_arg: None,
        };
        assert_eq!(parse(input), Err(expected), "input: {input:?}");
    }
}

/// Parses `input` and checks it against `positional` and `named` arguments.
fn check_str(input: &str, positional: usize, named: &[&str]) -> Result<Vec<String>, FormatError> {
    let fs = parse(input).expect("test inputs are valid");
    let named: Vec<String> = named.iter().map(|n| (*n).to_owned()).collect();
    check(&fs, positional, &named)
}

#[test]
fn checks_arguments() {
    type Case = (
        &'static str,
        usize,
        &'static [&'static str],
        Result<Vec<&'static str>, (&'static str, Range<usize>, Option<usize>)>,
    );
    let cases: Vec<Case> = vec![
        ("no placeholders", 0, &[], Ok(vec![])),
        ("{} {}", 2, &[], Ok(vec![])),
        ("{0} {0:1$}", 2, &[], Ok(vec![])),
        ("{x} {a}", 0, &["a"], Ok(vec!["x"])),
        ("{0}", 0, &["a"], Ok(vec![])),
        ("{x}", 0, &["x"], Ok(vec![])),
        ("{fn}", 0, &[], Ok(vec!["fn"])),
        ("{:a$}", 1, &["a"], Ok(vec![])),
        ("{:.a$}", 1, &[], Ok(vec!["a"])),
        ("{a} {b} {a} {:c$.d$}", 1, &[], Ok(vec!["a", "b", "c", "d"])),
        (
            "{} {}",
            1,
            &[],
            Err((
                "2 positional arguments in format string, but there is 1 argument",
                3..5,
                None,
            )),
        ),
        (
            "{} {}",
            0,
            &["a"],
            Err((
                "2 positional arguments in format string, but there is 1 argument",
                3..5,
                None,
            )),
        ),
        (
            "{}",
            0,
            &[],
            Err((
                "1 positional argument in format string, but no arguments were given",
                0..2,
                None,
            )),
        ),
        (
            "{:x$}",
            0,
            &[],
            Err((
                "1 positional argument in format string, but no arguments were given",
                0..5,
                None,
            )),
        ),
        (
            "{:.*}",
            1,
            &[],
            Err((
                "2 positional arguments in format string, but there is 1 argument",
                0..5,
                None,
            )),
        ),
        (
            "{} {:.*}",
            1,
            &[],
            Err((
                "3 positional arguments in format string, but there is 1 argument",
                3..8,
                None,
            )),
        ),
        (
            "{0} {3}",
            2,
            &[],
            Err((
                "invalid reference to positional argument 3 (there are 2 arguments)",
                4..7,
                None,
            )),
        ),
        (
            "{0} {3} {5} {3:7$}",
            2,
            &[],
            Err((
                "invalid reference to positional arguments 3, 5 and 7 (there are 2 arguments)",
                4..7,
                None,
            )),
        ),
        (
            "{} {3}",
            1,
            &[],
            Err((
                "invalid reference to positional argument 3 (there is 1 argument)",
                3..6,
                None,
            )),
        ),
        (
            "{:1$}",
            1,
            &[],
            Err((
                "invalid reference to positional argument 1 (there is 1 argument)",
                0..5,
                None,
            )),
        ),
        (
            "{0} {:.*}",
            1,
            &[],
            Err((
                "invalid reference to positional argument 1 (there is 1 argument)",
                4..9,
                None,
            )),
        ),
        ("{}", 2, &[], Err(("argument never used", 0..0, Some(1)))),
        (
            "{0:.*}",
            2,
            &[],
            Err(("argument never used", 0..0, Some(1))),
        ),
        (
            "{1}",
            1,
            &["a"],
            Err(("argument never used", 0..0, Some(0))),
        ),
        (
            "{}",
            3,
            &[],
            Err(("multiple unused formatting arguments", 0..0, Some(1))),
        ),
        (
            "{}",
            1,
            &["a"],
            Err(("named argument never used", 0..0, Some(1))),
        ),
        (
            "{}",
            1,
            &["a", "b"],
            Err(("multiple unused formatting arguments", 0..0, Some(1))),
        ),
        (
            "{a}",
            1,
            &["a", "a"],
            Err(("duplicate argument named `a`", 0..0, Some(2))),
        ),
    ];
    for (input, positional, named, expected) in cases {
        let expected = expected
            .map(|names| names.into_iter().map(str::to_owned).collect())
            .map_err(|(message, span, unused_arg)| FormatError {
                message: message.to_owned(),
                span,
                unused_arg,
            });
        assert_eq!(
            check_str(input, positional, named),
            expected,
            "input: {input:?}"
        );
    }
}

#[test]
fn check_rejects_names_that_cannot_be_captured() {
    let fs = FormatString {
        pieces: vec![ph(name("1x"), false, Spec::default(), 0..4)],
    };
    let expected = FormatError::new("there is no argument named `1x`", 0..4);
    assert_eq!(check(&fs, 0, &[]), Err(expected));
}

#[test]
fn identifiers() {
    for valid in ["a", "_a", "a1", "été", "fn", "Self"] {
        assert!(is_identifier(valid), "{valid}");
    }
    for invalid in ["", "_", "1a", "a-b", "a b", "r#a"] {
        assert!(!is_identifier(invalid), "{invalid}");
    }
}

#[test]
fn error_display_is_the_message() {
    let error = parse("}").expect_err("invalid");
    assert_eq!(
        error.to_string(),
        "invalid format string: unmatched `}` found"
    );
}

/// Parses and checks `input` every way we can; the point is that nothing panics.
fn exercise(input: &str) {
    if let Ok(fs) = parse(input) {
        let named = ["a".to_owned(), "x".to_owned(), "a".to_owned()];
        for positional in [0, 1, 3, usize::MAX] {
            for n in 0..=named.len() {
                let _ = check(&fs, positional, &named[..n]);
            }
        }
    }
}

#[test]
fn never_panics_on_weird_input() {
    let weird = [
        "\0",
        "{\u{10FFFF}}",
        "{:\u{10FFFF}<5}",
        "{{{{{",
        "}}}}}",
        "{:.*.*}",
        "{0:0$0$}",
        "{:99999999999999999999$}",
        "{:.99999999999999999999$}",
        "{r#}",
        "{r#_}",
        "{r#1}",
        "{x._}",
        "{x.99999}",
        "{x.r#y}",
        "{x.}",
        "{x. }",
        "{:?\u{301}}",
        "{\u{301}}",
        "{:\u{301}>}",
        "{65535} {:65535$.65535$}",
        "{:>",
        "{:>5.",
        "{:*",
        "{x?",
        "{x=",
        "{?",
        "{?:",
        "{:,",
        "{ ",
        "{:é",
    ];
    for input in weird {
        exercise(input);
    }
    // A small deterministic fuzzer over the interesting characters of the grammar.
    let alphabet: Vec<char> = "{}{}{}:.*$#+-<^>0159xX?eEpby_a ,=r\né".chars().collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = random() % 12;
        let input: String = (0..len)
            .map(|_| alphabet[(random() % alphabet.len() as u64) as usize])
            .collect();
        exercise(&input);
    }
}
