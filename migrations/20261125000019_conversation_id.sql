-- The contact-center guide's checklist: "Gather the following: … Conversation ID". Optional, and
-- only for programs whose contact block asks for it (checked by the application).
ALTER TABLE cases ADD COLUMN conversation_id TEXT;
