-- Schema version 3: every sector of each side, not only the primary one.
--
-- A defence minister is government first and military second (GOV, MIL): filtering a dyad by the
-- primary sector alone hides every defence-level contact between ministers ("RUS MIL - USA MIL").
-- The primary sector stays in actor_sector / recipient_sector; the lists hold all codes, primary first.

ALTER TABLE events ADD COLUMN actor_sectors VARCHAR[];
ALTER TABLE events ADD COLUMN recipient_sectors VARCHAR[];

-- A version-2 store knew only the primary sector.
UPDATE events SET actor_sectors = [actor_sector] WHERE actor_sector IS NOT NULL;
UPDATE events SET recipient_sectors = [recipient_sector] WHERE recipient_sector IS NOT NULL;
