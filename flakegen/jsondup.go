package flakegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/nixboard/nixboard/internal/safetext"
)

// utf8BOM is the byte-order mark some editors (Notepad on Windows) write
// at the start of a UTF-8 file. JSON has no place for it; Parse skips it.
var utf8BOM = []byte("\xef\xbb\xbf")

// duplicateKey finds the first key that appears twice in one object of
// data (valid JSON), at any depth, and returns an error naming it by its
// path (homeBase.shellAliases.ll) and where its second occurrence is.
// encoding/json keeps the last value of a duplicate without a word, so a
// file with two "enableTmux" would silently mean the second.
func duplicateKey(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// Each open object has its keys so far and its path; an open array
	// its path and the index of the next element.
	type frame struct {
		object bool
		path   string
		keys   map[string]bool
		// key is the object's key whose value comes next (expectValue).
		key         string
		expectValue bool
		index       int
	}
	var stack []*frame
	// childPath is the path of the value that comes next in the open
	// container.
	childPath := func() string {
		if len(stack) == 0 {
			return ""
		}
		top := stack[len(stack)-1]
		if top.object {
			return joinPath(top.path, top.key)
		}
		return top.path + "[" + strconv.Itoa(top.index) + "]"
	}
	// valueDone moves the open container past one value.
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if top.object {
			top.expectValue = false
		} else {
			top.index++
		}
	}
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			// The end, or a syntax error that Parse already reported.
			return nil
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && !top.expectValue {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				valueDone()
				continue
			}
			k, _ := tok.(string)
			if top.keys[k] {
				// The key's own bytes start after what the decoder had
				// read before it (spaces and a comma).
				at := before + int64(bytes.IndexByte(data[before:], '"'))
				return fmt.Errorf("duplicate key %q at %s: JSON keeps only its last value, so one of the two would be ignored; remove the one you do not want",
					safetext.Line(joinPath(top.path, k)), position(data, at))
			}
			top.keys[k] = true
			top.key, top.expectValue = k, true
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, path: childPath(), keys: map[string]bool{}})
		case json.Delim('['):
			stack = append(stack, &frame{path: childPath()})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}
