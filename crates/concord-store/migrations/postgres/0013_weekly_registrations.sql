-- The dashboard's weekly registrations read the day rows' registered counts alone.
CREATE INDEX figure_days_registered ON figure_days(scope, day, registered);
