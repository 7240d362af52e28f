-- HyperLogLog sketches (core Hll, base64) of the contacts reached or heard from per WABA-local day and phone number:
-- unique contacts over any range are the union of the sketches. '' = a row created for locking whose
-- sketch is written in the same transaction.
CREATE TABLE contacts_daily (
  day TEXT COLLATE "C" NOT NULL,
  waba_id TEXT COLLATE "C" NOT NULL,
  phone_number_id TEXT COLLATE "C" NOT NULL,
  sketch TEXT NOT NULL,
  PRIMARY KEY (day, waba_id, phone_number_id)
);
