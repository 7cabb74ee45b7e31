use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::support::TestApp;

both!(
    the_administrator_extends_the_calendar_and_deadlines_follow_it,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let (s, days) = app.get("", "/api/v1/calendar?year=2025").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            days.as_array()
                .unwrap()
                .iter()
                .any(|d| d["date"] == "2025-10-11" && d["day_type"] == "workday")
        );
        let next_year = json!([{"date": "2027-01-01", "day_type": "holiday", "note": "元旦"},
                           {"date": "2027-02-06", "day_type": "workday", "note": "春节调休上班"}]);
        let r = app
            .client
            .put(app.url("/api/v1/calendar"))
            .bearer_auth(&clerk)
            .json(&next_year)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app
            .client
            .put(app.url("/api/v1/calendar"))
            .bearer_auth(&admin)
            .json(&next_year)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (_, days) = app.get("", "/api/v1/calendar?year=2027").await;
        assert_eq!(days.as_array().unwrap().len(), 2);
        assert!(
            !app.store
                .calendar()
                .is_working_day(jiff::civil::date(2027, 1, 1))
        );
        let bad = json!([{"date": "2027-02-30", "day_type": "holiday", "note": ""}]);
        let r = app
            .client
            .put(app.url("/api/v1/calendar"))
            .bearer_auth(&admin)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let r = app
            .client
            .delete(app.url("/api/v1/calendar/2027-01-01"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(
            app.store
                .calendar()
                .is_working_day(jiff::civil::date(2027, 1, 1)),
            "a Friday again"
        );
    }
);
