package flakegen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/nixboard/nixboard/assets"
)

// Paths of the files nixboard renders, relative to the configuration
// directory.
const (
	FlakeFile         = "flake.nix"
	AnswersFile       = "nixboard.json"
	HomeFile          = "home.nix"
	GitignoreFile     = ".gitignore"
	BaseModuleFile    = "nixboard/base.nix"
	AnswersModuleFile = "nixboard/answers.nix"
	// AnswersRecordFile is nixboard's record of the nixboard.json it last
	// wrote, byte for byte, so that it can tell a person's edit of
	// nixboard.json from its own file by content. It is tracked by git like
	// the rest; .nixboard/ is where nixboard keeps what it last rendered.
	AnswersRecordFile = LastRenderedDir + "/" + AnswersFile
	// LastRenderedDir holds, tracked by git, a copy of every file nixboard
	// rendered last time except home.nix (RecordPath): the base of the
	// three-way merge that keeps a person's edits of a generated file on a
	// re-run (see NewPlan).
	LastRenderedDir = ".nixboard/last-rendered"
)

// RecordPath is where nixboard keeps its last rendering of the generated
// file at path: LastRenderedDir/path. The record of .gitignore is itself a
// .gitignore of that directory; it only ever holds nixboard's own patterns
// (result links, backups, temporary files), which match no record.
func RecordPath(path string) string { return LastRenderedDir + "/" + path }

// Marker starts the first line of every file nixboard generates (except
// nixboard.json, which is pure JSON, and home.nix, which is yours). The line
// goes on with the SHA-256 of the rest of the file, so an edit is detectable:
//
//	# Written by nixboard; edit home.nix instead. sha256:<64 hex digits>
const Marker = "# Written by nixboard"

const markerLine = Marker + "; edit home.nix instead. sha256:"

// Kind says how nixboard treats a rendered file that already exists.
type Kind int

const (
	// Generated files carry Marker and are replaced when nixboard owns them.
	Generated Kind = iota
	// AnswersData is nixboard.json: replaced when it is nixboard's own
	// canonical rendering of a valid answers file.
	AnswersData
	// Once files (home.nix) are created when missing and never touched again.
	Once
	// Record files are nixboard's own bookkeeping (AnswersRecordFile and
	// the other files under LastRenderedDir): always replaced, never backed
	// up.
	Record
)

// File is one rendered file.
type File struct {
	Path    string // relative, slash-separated
	Content []byte
	Kind    Kind
}

// NixString returns s as a Nix double-quoted string literal that evaluates to
// exactly s. It is the one place a value can enter Nix source; the answers
// otherwise reach Nix as JSON data. s must be valid UTF-8 without NUL, which
// Nix strings cannot hold; Validate guarantees that for every answer.
func NixString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '$':
			// Escaping every '$' also makes "${" inert.
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// withMarker prefixes body with the marker line carrying body's hash.
func withMarker(body []byte) []byte {
	sum := sha256.Sum256(body)
	out := make([]byte, 0, len(markerLine)+64+1+len(body))
	out = append(out, markerLine...)
	out = hex.AppendEncode(out, sum[:])
	out = append(out, '\n')
	return append(out, body...)
}

// Ownership says who a file's current content belongs to.
type Ownership int

const (
	// Foreign: no nixboard marker; someone else wrote it.
	Foreign Ownership = iota
	// Ours: nixboard wrote it and nobody changed it since.
	Ours
	// Edited: nixboard wrote it, then someone changed it.
	Edited
)

func (o Ownership) String() string {
	switch o {
	case Ours:
		return "written by nixboard"
	case Edited:
		return "written by nixboard, then edited"
	}
	return "not written by nixboard"
}

// OwnershipOf inspects the content of a generated file (flake.nix,
// nixboard/*.nix, .gitignore). detect uses it to tell a nixboard
// configuration from another one.
func OwnershipOf(content []byte) Ownership {
	first, body, ok := bytes.Cut(content, []byte("\n"))
	if !ok || !bytes.HasPrefix(first, []byte(Marker)) {
		return Foreign
	}
	sum, found := bytes.CutPrefix(first, []byte(markerLine))
	want := sha256.Sum256(body)
	if found && string(sum) == hex.EncodeToString(want[:]) {
		return Ours
	}
	return Edited
}

// answersOwnership is OwnershipOf for nixboard.json: it is nixboard's when
// it is byte for byte what nixboard last wrote (record, the content of
// AnswersRecordFile). A hand edit that keeps the canonical formatting is
// still an edit. Without a record (a directory an older nixboard wrote, or
// a record someone deleted) nixboard cannot tell, and counts the file as
// edited so that it is backed up rather than lost.
func answersOwnership(content, record []byte, haveRecord bool) Ownership {
	if _, err := Parse(content); err != nil {
		return Foreign
	}
	if haveRecord && bytes.Equal(record, content) {
		return Ours
	}
	return Edited
}

// Render validates a and returns every file of the configuration directory,
// in the order they are listed to a person. It writes nothing.
func Render(a Answers) ([]File, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	rel, _ := ReleaseByName(a.Release)
	files := []File{
		{Path: FlakeFile, Content: withMarker(renderFlake(a, rel)), Kind: Generated},
		{Path: AnswersFile, Content: MarshalAnswers(a), Kind: AnswersData},
	}
	if a.Base == nil {
		files = append(files, File{Path: BaseModuleFile, Content: withMarker(assets.Read("base/base.nix")), Kind: Generated})
	}
	files = append(files,
		File{Path: AnswersModuleFile, Content: withMarker(assets.Read("base/answers.nix")), Kind: Generated},
		File{Path: HomeFile, Content: assets.Read("template/home.nix"), Kind: Once},
		File{Path: GitignoreFile, Content: withMarker(assets.Read("template/gitignore")), Kind: Generated},
	)
	// The records come last, in the order of the files they record.
	for _, f := range files {
		switch f.Kind {
		case Generated:
			files = append(files, File{Path: RecordPath(f.Path), Content: f.Content, Kind: Record})
		case AnswersData:
			files = append(files, File{Path: AnswersRecordFile, Content: f.Content, Kind: Record})
		}
	}
	return files, nil
}

func renderFlake(a Answers, rel Release) []byte {
	baseInput := ""
	baseModules := "            ./nixboard/base.nix\n            { nixboard.platform = answers.platform; }"
	if a.Base != nil {
		baseInput = fmt.Sprintf("\n    # Your team's base layer; its module replaces nixboard's built-in one.\n    base.url = %s;", NixString(a.Base.Flake))
		baseModules = "            (attrPath inputs.base answers.base.module)"
	}
	r := strings.NewReplacer(
		"@RELEASE@", rel.Name,
		"@NIXPKGS@", NixString(rel.Nixpkgs),
		"@HOME_MANAGER@", NixString(rel.HomeManager),
		"@BASE_INPUT@", baseInput,
		"@BASE_MODULES@", baseModules,
	)
	return []byte(r.Replace(string(assets.Read("template/flake.nix"))))
}
