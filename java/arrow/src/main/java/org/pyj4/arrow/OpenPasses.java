package org.pyj4.arrow;

import java.util.ArrayList;
import java.util.List;

/** The passes a dataset has handed out and not yet seen finish, so that closing the dataset ends them. */
final class OpenPasses {
    private final List<Rebatcher> open = new ArrayList<>();
    private boolean closed;

    synchronized Rebatcher add(Rebatcher pass) {
        if (closed) {
            pass.close();
            throw new IllegalStateException("the dataset was closed");
        }
        open.removeIf(Rebatcher::isClosed);
        open.add(pass);
        return pass;
    }

    synchronized void closeAll() {
        closed = true;
        for (Rebatcher r : open) r.close();
        open.clear();
    }

    synchronized boolean isClosed() { return closed; }
}
