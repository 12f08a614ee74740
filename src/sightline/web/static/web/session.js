// Warns before the idle sign-out, in the pattern of HMRC's timeout dialog: a modal dialog that counts
// down, tells screen readers politely, keeps focus inside, and lets the user stay signed in. The server
// signs idle sessions out whatever happens here; this only says so in time.
const dialog = document.getElementById('sightline-timeout')
if (dialog && typeof dialog.showModal === 'function') watch(dialog)

function words (ms) {
  const seconds = Math.max(1, Math.ceil(ms / 1000))
  if (seconds >= 60) {
    const minutes = Math.round(seconds / 60)
    return minutes === 1 ? '1 minute' : `${minutes} minutes`
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`
}

function watch (dialog) {
  const STORE = 'sightline.idle-deadline' // shared by tabs: each writes the server's latest answer
  const warnMs = Number(dialog.dataset.warnSeconds) * 1000
  const visible = dialog.querySelector('[data-countdown]')
  const audible = dialog.querySelector('[data-countdown-audible]')
  const stay = dialog.querySelector('[data-stay]')
  const token = dialog.querySelector('input[name=csrfmiddlewaretoken]').value
  let deadline = 0
  let timer = 0
  let heard = ''
  let returnFocus = null
  let ending = false

  function post (url) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      redirect: 'manual',
      headers: { 'X-CSRFToken': token, Accept: 'application/json' }
    })
  }

  function signInAgain () {
    const next = window.location.pathname + window.location.search
    window.location.assign(`${dialog.dataset.signInUrl}?next=${encodeURIComponent(next)}`)
  }

  function setDeadline (secondsLeft, share = true) {
    deadline = Date.now() + secondsLeft * 1000
    if (share) {
      try { window.localStorage.setItem(STORE, String(deadline)) } catch (error) { /* storage off */ }
    }
    tick()
  }

  function open () {
    if (dialog.open) return
    returnFocus = document.activeElement
    dialog.showModal()
    stay.focus()
  }

  function close () {
    heard = ''
    if (!dialog.open) return
    dialog.close()
    if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus()
  }

  function show (left) {
    const text = words(left)
    visible.textContent = text
    // Screen readers hear each new minute, then every 20 seconds, not every tick.
    const seconds = Math.ceil(left / 1000)
    const step = seconds >= 60 ? text : String(Math.ceil(seconds / 20))
    if (step !== heard) {
      heard = step
      audible.textContent = `For your security, we will sign you out in ${text}.`
    }
  }

  function tick () {
    window.clearTimeout(timer)
    if (ending) return
    const left = deadline - Date.now()
    if (left <= 0) {
      end()
    } else if (left <= warnMs) {
      show(left) // first, so that the dialog is announced with the time left
      open()
      timer = window.setTimeout(tick, left % 1000 || 1000)
    } else {
      close()
      timer = window.setTimeout(tick, left - warnMs)
    }
  }

  async function end () {
    // Another tab may have kept the session meanwhile.
    let shared = 0
    try { shared = Number(window.localStorage.getItem(STORE)) || 0 } catch (error) { /* storage off */ }
    if (shared > Date.now() + 1000) {
      deadline = shared
      tick()
      return
    }
    ending = true
    const waits = []
    document.dispatchEvent(new CustomEvent('sightline:timeout', { detail: { waitUntil: (p) => waits.push(p) } }))
    await Promise.allSettled(waits)
    try { await post(dialog.dataset.timedOutUrl) } catch (error) { /* the server times out anyway */ }
    signInAgain()
  }

  async function keep () {
    let response
    try {
      response = await post(dialog.dataset.keepAliveUrl)
    } catch (error) {
      return // offline: the dialog stays, and the user can try again
    }
    if (response.ok) {
      const answer = await response.json()
      close()
      setDeadline(answer.seconds_left)
    } else {
      ending = true
      signInAgain()
    }
  }

  stay.addEventListener('click', keep)
  // Escape means "stay signed in", as in HMRC's dialog, rather than closing it without an answer.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    keep()
  })
  // Focus stays in the dialog: Tab from the last control goes back to the first.
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return
    const controls = [...dialog.querySelectorAll('button, [href], input:not([type=hidden])')]
    const first = controls[0]
    const last = controls[controls.length - 1]
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault()
      first.focus()
    }
  })
  // A draft saved, or another tab's page or answer: the session has been used.
  document.addEventListener('sightline:active', (event) => setDeadline(event.detail.secondsLeft))
  window.addEventListener('storage', (event) => {
    if (event.key === STORE && Number(event.newValue) > 0) {
      deadline = Number(event.newValue)
      tick()
    }
  })
  // Timers sleep in hidden tabs and suspended laptops: look again when the page is seen.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') tick()
  })

  setDeadline(Number(dialog.dataset.secondsLeft))
}
