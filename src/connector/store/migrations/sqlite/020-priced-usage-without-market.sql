-- The phone and group panels' grain (issue 13 item 1: day x WABA x phone x category, and the same by
-- group). priced_usage_phone and priced_usage_group keep the market, because each of their rows is a
-- share of one pricing-grain row; a panel that neither splits nor filters by market then sums every
-- market a phone reached in SQL (the full-scale bench store: 20 numbers x ~15 markets x category x
-- type a day and WABA, ~137,000 phone rows a month, ~470 ms a panel). These two tables are the same
-- figures summed over markets and pricing models, written by the re-pricer from the day's rows in the
-- same transaction (so they always agree), and read by those panels. `unpriced` keeps rows without a
-- cost apart from rows with one, as the month sums do.
CREATE TABLE priced_usage_phone_category (
  day TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT NOT NULL,
  category TEXT NOT NULL,
  pricing_type TEXT NOT NULL,
  currency TEXT NOT NULL,
  unpriced INTEGER NOT NULL,
  messages INTEGER NOT NULL,
  units INTEGER NOT NULL,
  billable INTEGER NOT NULL,
  cost_micros INTEGER,
  PRIMARY KEY (day, waba_id, phone_number_id, category, pricing_type, currency, unpriced)
) WITHOUT ROWID;
CREATE INDEX priced_usage_phone_category_waba_day ON priced_usage_phone_category (waba_id, day);

CREATE TABLE priced_usage_group_category (
  day TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  grp TEXT NOT NULL,
  category TEXT NOT NULL,
  pricing_type TEXT NOT NULL,
  currency TEXT NOT NULL,
  unpriced INTEGER NOT NULL,
  messages INTEGER NOT NULL,
  units INTEGER NOT NULL,
  billable INTEGER NOT NULL,
  cost_micros INTEGER,
  PRIMARY KEY (day, waba_id, grp, category, pricing_type, currency, unpriced)
) WITHOUT ROWID;
CREATE INDEX priced_usage_group_category_waba_day ON priced_usage_group_category (waba_id, day);

-- What the stored rows already say.
INSERT INTO priced_usage_phone_category
  SELECT day, waba_id, phone_number_id, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END,
    SUM(messages), SUM(units), SUM(billable), SUM(cost_micros)
  FROM priced_usage_phone WHERE true
  GROUP BY day, waba_id, phone_number_id, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END;
INSERT INTO priced_usage_group_category
  SELECT day, waba_id, grp, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END,
    SUM(messages), SUM(units), SUM(billable), SUM(cost_micros)
  FROM priced_usage_group WHERE true
  GROUP BY day, waba_id, grp, category, pricing_type, currency, CASE WHEN cost_micros IS NULL THEN 1 ELSE 0 END;
