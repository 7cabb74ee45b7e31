-- The command center's judgement of how likely a case is to turn (风险等级).
ALTER TABLE cases ADD COLUMN risk_level TEXT;
