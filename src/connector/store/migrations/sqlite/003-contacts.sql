-- HyperLogLog sketches (core Hll, base64) of the contacts reached or heard from per WABA-local day and phone number:
-- unique contacts over any range are the union of the sketches.
CREATE TABLE contacts_daily (
  day TEXT NOT NULL,
  waba_id TEXT NOT NULL,
  phone_number_id TEXT NOT NULL,
  sketch TEXT NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id)
);
