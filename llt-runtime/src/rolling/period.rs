//! The UTC periods of time rotation: which hour or day a time falls in,
//! and the date label (`2026-11-23`, `2026-11-23T14`) a period's files are
//! named with.

use std::time::{SystemTime, UNIX_EPOCH};

use super::Rotation;

impl Rotation {
    /// Length of a period in seconds, if this rotation has periods.
    pub(super) fn period_secs(self) -> Option<i64> {
        match self {
            Rotation::Never => None,
            Rotation::Hourly => Some(3600),
            Rotation::Daily => Some(86_400),
        }
    }

    /// Index of the period `time` falls in (periods since the Unix epoch).
    pub(super) fn period_of(self, time: SystemTime) -> Option<i64> {
        self.period_secs()
            .map(|len| unix_secs(time).div_euclid(len))
    }

    /// The date (and hour) of period `period`, as used in file names.
    pub(super) fn label(self, period: i64) -> String {
        let (days, hour) = match self {
            Rotation::Hourly => (period.div_euclid(24), Some(period.rem_euclid(24))),
            Rotation::Daily | Rotation::Never => (period, None),
        };
        let (year, month, day) = crate::clock::civil_from_days(days);
        let year = year.clamp(0, 9999);
        match hour {
            Some(hour) => format!("{year:04}-{month:02}-{day:02}T{hour:02}"),
            None => format!("{year:04}-{month:02}-{day:02}"),
        }
    }
}

/// Whole seconds since the Unix epoch, rounded down (negative before it).
fn unix_secs(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -secs - i64::from(before.subsec_nanos() > 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn at(secs: i64) -> SystemTime {
        if secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(secs as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
        }
    }

    #[test]
    fn labels() {
        let cases = [
            (0, "1970-01-01", "1970-01-01T00"),
            (951_782_400, "2000-02-29", "2000-02-29T00"),
            (1_709_164_799, "2024-02-28", "2024-02-28T23"),
            (1_795_445_999, "2026-11-23", "2026-11-23T14"),
            (-1, "1969-12-31", "1969-12-31T23"),
        ];
        for (secs, daily, hourly) in cases {
            let day = Rotation::Daily.period_of(at(secs)).unwrap();
            let hour = Rotation::Hourly.period_of(at(secs)).unwrap();
            assert_eq!(Rotation::Daily.label(day), daily, "{secs}");
            assert_eq!(Rotation::Hourly.label(hour), hourly, "{secs}");
        }
        assert_eq!(Rotation::Never.period_of(at(5)), None);
        // Far outside 0000..=9999: clamped, no panic.
        assert!(
            Rotation::Daily
                .label(i64::MAX / 86_400)
                .starts_with("9999-")
        );
        assert!(Rotation::Hourly.label(i64::MIN / 3600).starts_with("0000-"));
    }

    #[test]
    fn far_times_do_not_overflow() {
        // The latest time the platform represents (i64 seconds on Unix).
        let far = UNIX_EPOCH + Duration::from_secs(i64::MAX as u64);
        assert_eq!(unix_secs(far), i64::MAX);
        assert!(
            Rotation::Daily
                .label(Rotation::Daily.period_of(far).unwrap())
                .starts_with("9999-")
        );
        assert!(Rotation::Hourly.period_of(far).is_some());
        assert_eq!(unix_secs(at(-1) - Duration::from_nanos(1)), -2);
    }
}
