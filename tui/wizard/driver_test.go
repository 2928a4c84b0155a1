package wizard

import (
	"context"
	"io"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// driver runs the wizard's model step by step without a terminal and
// without waiting for any time to pass. The model's Update is called on the
// test's goroutine only; each command it returns is run, and each message
// that command produces is fed back to Update, until no message is left.
//
// Commands are run by a Bubble Tea program whose model only relays what it
// receives (the relay): it runs batches and sequences (whose type is not
// exported) exactly as a real program does, and answers the requests a
// program answers, so the driver needs no copy of those rules and no
// reflection. Everything runs inside a testing/synctest bubble: settle
// calls synctest.Wait, which returns once every command has either
// delivered its message or is blocked on the bubble's clock (a cursor blink,
// a spinner tick). The clock never moves while the driver works, so timers
// never fire and nothing depends on how fast the machine is: a key reaches
// the field that huh's commands moved the focus to, every time.
type driver struct {
	t *testing.T
	m *Model

	mu    sync.Mutex
	inbox []tea.Msg

	relay  *tea.Program
	cancel context.CancelFunc
	done   chan struct{}
	// quit is set once the model's tea.Quit reached the relay.
	quit bool
	// visited are the steps the wizard was on, in order, each change once.
	visited []Step
}

// relayModel hands every message the relay program receives to the
// driver's inbox.
type relayModel struct{ d *driver }

func (r relayModel) Init() tea.Cmd { return nil }

func (r relayModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	r.d.mu.Lock()
	r.d.inbox = append(r.d.inbox, msg)
	r.d.mu.Unlock()
	return r, nil
}

func (r relayModel) View() tea.View { return tea.NewView("") }

// runDriven runs body with a driver of a wizard built from opts at w x h, in
// a synctest bubble. body must do all its work through the driver.
func runDriven(t *testing.T, opts Options, w, h int, body func(t *testing.T, d *driver)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		d := newDriver(t, opts, w, h)
		defer d.close()
		body(t, d)
	})
}

// newDriver starts the wizard as a program would: Init, then the window
// size.
func newDriver(t *testing.T, opts Options, w, h int) *driver {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &driver{t: t, m: newModel(ctx, opts), cancel: cancel, done: make(chan struct{})}
	d.relay = tea.NewProgram(relayModel{d},
		tea.WithContext(ctx), tea.WithInput(nil), tea.WithOutput(io.Discard),
		tea.WithoutRenderer(), tea.WithoutSignalHandler(), tea.WithWindowSize(w, h))
	go func() {
		defer close(d.done)
		_, _ = d.relay.Run()
	}()
	// What the relay program says about itself on starting (its window
	// size, colour profile and environment) is not the wizard's: drop it.
	synctest.Wait()
	d.mu.Lock()
	d.inbox = nil
	d.mu.Unlock()
	d.run(d.m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

// close stops the relay and lets the bubble's pending timers run out, so
// that no command of the wizard is left blocked when the test ends.
func (d *driver) close() {
	d.m.cancel()
	d.cancel()
	<-d.done
	// This sleep waits for nothing real: inside the bubble it moves the
	// fake clock past every pending blink and tick at once, so their
	// commands return (to a relay that has stopped) and the bubble can end.
	time.Sleep(time.Hour)
}

// run hands a command to the relay, which runs it (batches and sequences
// included) and passes its messages to the inbox.
func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil || d.quit {
		return
	}
	d.relay.Send(tea.BatchMsg{cmd})
}

// send delivers msg to the model and then settles.
func (d *driver) send(msg tea.Msg) {
	d.t.Helper()
	if d.quit {
		d.t.Fatalf("message %T sent after the wizard quit", msg)
	}
	d.deliver(msg)
	d.settle()
}

func (d *driver) deliver(msg tea.Msg) {
	_, cmd := d.m.Update(msg)
	if n := len(d.visited); n == 0 || d.visited[n-1] != d.m.Step() {
		d.visited = append(d.visited, d.m.Step())
	}
	d.run(cmd)
}

// settle feeds the messages of the commands that have run back to the
// model, in the order they arrived, until no command that can finish
// without the clock is left running and no message is left.
func (d *driver) settle() {
	for {
		synctest.Wait()
		select {
		case <-d.done:
			// The relay stops on tea.Quit, as a program does.
			d.quit = true
		default:
		}
		d.mu.Lock()
		msgs := d.inbox
		d.inbox = nil
		d.mu.Unlock()
		if len(msgs) == 0 {
			return
		}
		for _, msg := range msgs {
			d.deliver(msg)
		}
	}
}

// step delivers the messages of the commands that have run so far, once,
// without settling the commands they return: a test can then slip another
// message (a resize) in before those commands' messages.
func (d *driver) step() {
	synctest.Wait()
	d.mu.Lock()
	msgs := d.inbox
	d.inbox = nil
	d.mu.Unlock()
	for _, msg := range msgs {
		d.deliver(msg)
	}
}

// press sends keys one at a time, each one settled before the next: text
// of several letters is typed letter by letter.
func (d *driver) press(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		for _, msg := range keyMsgs(k) {
			d.send(msg)
		}
	}
}

// pressAtOnce delivers keys before any of their commands ran, as a terminal
// that hands several keys over at once does, and settles after the last.
func (d *driver) pressAtOnce(keys ...string) {
	d.t.Helper()
	for _, k := range keys {
		for _, msg := range keyMsgs(k) {
			d.deliver(msg)
		}
	}
	d.settle()
}

// keyMsgs are the key presses of a key name or of text to type.
func keyMsgs(k string) []tea.Msg {
	switch k {
	case "enter":
		return []tea.Msg{tea.KeyPressMsg{Code: tea.KeyEnter}}
	case "esc":
		return []tea.Msg{tea.KeyPressMsg{Code: tea.KeyEscape}}
	case "shift+tab":
		return []tea.Msg{tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}}
	case "down":
		return []tea.Msg{tea.KeyPressMsg{Code: tea.KeyDown}}
	case "up":
		return []tea.Msg{tea.KeyPressMsg{Code: tea.KeyUp}}
	case "space":
		return []tea.Msg{tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}}
	case "backspace":
		return []tea.Msg{tea.KeyPressMsg{Code: tea.KeyBackspace}}
	case "ctrl+c":
		return []tea.Msg{tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}}
	case "ctrl+u":
		return []tea.Msg{tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}}
	}
	var msgs []tea.Msg
	for _, r := range k {
		msgs = append(msgs, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return msgs
}

// view is the screen as it stands, as plain text.
func (d *driver) view() string {
	return ansi.Strip(d.m.View().Content)
}

// finalView is the screen the wizard ended on, before its quit cleared it.
func (d *driver) finalView() string {
	quitting := d.m.quitting
	d.m.quitting = false
	defer func() { d.m.quitting = quitting }()
	return ansi.Strip(d.m.View().Content)
}
